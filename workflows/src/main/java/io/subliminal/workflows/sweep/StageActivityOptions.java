package io.subliminal.workflows.sweep;

import io.subliminal.workflows.stage.StageFailures;
import io.subliminal.workflows.stage.StageKind;
import io.subliminal.workflows.stage.StageRequest;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * Activity options per stage: task queue (GPU or orchestrator), start-to-close and heartbeat timeouts sized for the
 * paper's 7B runs, retries with back-off, and {@link StageFailures#NON_RETRYABLE} failing fast.
 */
public final class StageActivityOptions {
    private StageActivityOptions() {
    }

    /** Options for executing {@code request}; the activity summary shows in the Web UI. */
    public static ActivityOptions forRequest(StageRequest request) {
        StageKind kind = request.kind();
        return ActivityOptions.newBuilder()
                .setTaskQueue(request.requiresGpu() ? TaskQueues.GPU : TaskQueues.ORCHESTRATOR)
                .setStartToCloseTimeout(startToClose(kind))
                .setHeartbeatTimeout(heartbeat(kind))
                .setRetryOptions(retry(kind))
                .setSummary(request.summary())
                // a cancelled stage ends only after its activity stopped (checkpointed, GPU memory freed)
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                .build();
    }

    /** Options of the coordination activities (client calls on the orchestrator queue). */
    public static ActivityOptions coordination(Duration startToClose) {
        return ActivityOptions.newBuilder()
                .setTaskQueue(TaskQueues.ORCHESTRATOR)
                .setStartToCloseTimeout(startToClose)
                .setHeartbeatTimeout(Duration.ofMinutes(2))
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setMaximumInterval(Duration.ofMinutes(1))
                        .setDoNotRetry(StageFailures.NON_RETRYABLE.toArray(String[]::new))
                        .build())
                .build();
    }

    /** Upper bound of one attempt. */
    static Duration startToClose(StageKind kind) {
        return switch (kind) {
            case GENERATE_NUMBERS, MARK_DIVERGENCE -> Duration.ofHours(24);
            case MODIFY_DATASET -> Duration.ofHours(12);
            case FINETUNE -> Duration.ofHours(72);
            case EVALUATE_PREFERENCE, EVALUATE_MAIN_TASK, EVALUATE_FACTUALITY -> Duration.ofHours(8);
            case EVALUATE_MISALIGNMENT, ATTRIBUTION_PATCHING -> Duration.ofHours(24);
            case AGGREGATE -> Duration.ofHours(1);
        };
    }

    /**
     * A worker that stops heartbeating this long is presumed dead (killed, OOM, node lost); the attempt is retried on
     * another worker from its last checkpoint. Implementations heartbeat at least every minute, model loading included.
     */
    static Duration heartbeat(StageKind kind) {
        return switch (kind) {
            case AGGREGATE -> Duration.ofMinutes(10);
            default -> Duration.ofMinutes(5);
        };
    }

    static RetryOptions retry(StageKind kind) {
        return RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(30))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(Duration.ofMinutes(30))
                .setMaximumAttempts(kind == StageKind.AGGREGATE ? 3 : 6)
                .setDoNotRetry(StageFailures.NON_RETRYABLE.toArray(String[]::new))
                .build();
    }
}
