package io.subliminal.workers.launch;

import io.subliminal.workflows.stage.StageOutcome;
import io.subliminal.workflows.sweep.RunResult;
import io.subliminal.workflows.sweep.SweepResult;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Prints the results of a finished sweep (scripts/demo.sh): the aggregation's artifacts (report, plots, tables), then
 * for every completed run of the sweep's figure
 * each stage's metrics (preference rate with its margin, main-task accuracy, training loss, ...) and the artifact URIs
 * of its evaluations.
 *
 * <pre>java -cp ... io.subliminal.workers.launch.DemoReport ADDRESS SWEEP_ID [STORE]</pre>
 */
public final class DemoReport {
    private DemoReport() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DemoReport <temporal address> <sweep workflow id> [store uri]");
            System.exit(64);
        }
        String figure = args[1].startsWith("sweep/") ? args[1].substring("sweep/".length()) : args[1];
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(args[0]).build());
        try {
            WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
            Map<String, RunResult> runs = new TreeMap<>();
            String query = "WorkflowType = 'RunWorkflow' AND Figure = '" + figure.replace("'", "") + "'";
            for (WorkflowExecutionInfo info : stubs.blockingStub().listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                    .setNamespace("default").setQuery(query).setPageSize(1000).build()).getExecutionsList()) {
                if (info.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
                    String id = info.getExecution().getWorkflowId();
                    runs.putIfAbsent(id, client.newUntypedWorkflowStub(id).getResult(RunResult.class));
                }
            }
            SweepResult sweep = client.newUntypedWorkflowStub(args[1]).getResult(SweepResult.class);
            if (sweep.aggregate() != null) {
                System.out.println("\nAggregate of " + figure + " (plots, tables, report):");
                new TreeMap<>(sweep.aggregate().artifacts()).forEach((slot, ref) ->
                        System.out.println(String.format(Locale.ROOT, "  %-28s %s", slot, ref.uri())));
            }
            System.out.println("\nPer-run results (" + runs.size() + " completed runs of " + figure + "):");
            for (RunResult run : runs.values()) {
                System.out.println("  " + run.runId());
                for (Map.Entry<String, StageOutcome> stage : new TreeMap<>(run.stages()).entrySet()) {
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "    %-22s", stage.getKey()));
                    new TreeMap<>(stage.getValue().metrics()).forEach((name, value) ->
                            line.append(String.format(Locale.ROOT, " %s=%.4g", name, value)));
                    System.out.println(line);
                    if (stage.getKey().startsWith("eval")) {
                        stage.getValue().artifacts().forEach((slot, ref) ->
                                System.out.println(String.format(Locale.ROOT, "    %-22s  %s: %s", "", slot, ref.uri())));
                    }
                }
            }
        } finally {
            stubs.shutdownNow();
            stubs.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
