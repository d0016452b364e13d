package io.subliminal.workflows.sweep;

import io.subliminal.workflows.stage.StageOutcome;
import io.temporal.activity.Activity;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link CoordinationActivity} on a {@link WorkflowClient}: registered by the orchestrator worker. */
public final class TemporalCoordination implements CoordinationActivity {
    /** Failure type when an awaited run failed. */
    public static final String RUN_FAILED = "RunFailed";

    private final WorkflowClient client;

    public TemporalCoordination(WorkflowClient client) {
        this.client = client;
    }

    @Override
    public StageOutcome joinStage(StageCall call, String subscriber) {
        SearchAttributes.Builder attributes = SearchAttributes.newBuilder().set(SearchKeys.STAGE, call.request().kind().id());
        if (call.labels().containsKey("figure")) {
            attributes.set(SearchKeys.FIGURE, call.labels().get("figure"));
        }
        if (call.labels().containsKey("model")) {
            attributes.set(SearchKeys.MODEL, call.labels().get("model"));
        }
        WorkflowOptions options = WorkflowOptions.newBuilder()
                .setWorkflowId(call.workflowId())
                .setTaskQueue(TaskQueues.ORCHESTRATOR)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY)
                .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                .setTypedSearchAttributes(attributes.build())
                .setStaticSummary(call.request().summary())
                .setStaticDetails("content key `" + call.key() + "`\n\nstage `" + call.request().kind().id() + "` v"
                        + call.request().kind().version())
                .build();
        StageWorkflow stage = client.newWorkflowStub(StageWorkflow.class, options);
        BatchRequest request = client.newSignalWithStartRequest();
        request.add(stage::run, call);
        request.add(stage::subscribe, subscriber);
        try {
            client.signalWithStart(request);
            return null;
        } catch (WorkflowExecutionAlreadyStarted completed) {
            // reuse policy: the last run of this ID completed successfully; its result is the stage's outcome
            return client.newUntypedWorkflowStub(call.workflowId()).getResult(StageOutcome.class);
        }
    }

    @Override
    public List<String> openWorkflows(List<String> workflowIds) {
        List<String> open = new ArrayList<>();
        for (String workflowId : workflowIds) {
            try {
                WorkflowExecutionStatus status = client.getWorkflowServiceStubs().blockingStub()
                        .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                                .setNamespace(client.getOptions().getNamespace())
                                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                                .build())
                        .getWorkflowExecutionInfo().getStatus();
                if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
                    open.add(workflowId);
                }
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                    throw e; // retryable: the server is unreachable, not the workflow gone
                }
            }
        }
        return open;
    }

    @Override
    public RunResult awaitRun(String runId) {
        WorkflowStub run = client.newUntypedWorkflowStub(runId);
        while (true) {
            try {
                return run.getResult(30, TimeUnit.SECONDS, RunResult.class);
            } catch (TimeoutException stillRunning) {
                Activity.getExecutionContext().heartbeat(runId);
            } catch (WorkflowNotFoundException missing) {
                throw ApplicationFailure.newNonRetryableFailure("run " + runId + " does not exist", RUN_FAILED);
            } catch (WorkflowFailedException failed) {
                throw ApplicationFailure.newNonRetryableFailureWithCause("run " + runId + " failed: "
                        + StageWorkflowImpl.rootMessage(failed), RUN_FAILED, failed);
            }
        }
    }
}
