package io.subliminal.workflows.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.workflows.stage.DatasetOperation;
import io.subliminal.workflows.stage.FinetuneRequest;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.StageFailures;
import io.subliminal.workflows.stage.TokenMask;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StageActivityOptionsTest {

    @Test
    void gpuStagesGoToTheGpuQueueWithHeartbeatsAndFailFastOnNonRetryableErrors() {
        ActivityOptions finetune = StageActivityOptions.forRequest(FinetuneRequest.paper("qwen", 42, TokenMask.ALL_TOKENS));
        assertEquals(TaskQueues.GPU, finetune.getTaskQueue());
        assertEquals(Duration.ofHours(72), finetune.getStartToCloseTimeout());
        assertEquals(Duration.ofMinutes(5), finetune.getHeartbeatTimeout());
        assertEquals(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED, finetune.getCancellationType());
        assertTrue(List.of(finetune.getRetryOptions().getDoNotRetry()).containsAll(StageFailures.NON_RETRYABLE));
        assertTrue(!List.of(finetune.getRetryOptions().getDoNotRetry()).contains(StageFailures.WORKER_DRAINED), "drained work is retried");
        assertEquals("finetune qwen lora-8 all_tokens seed 42", finetune.getSummary());
    }

    @Test
    void cpuOperationsGoToTheOrchestratorQueue() {
        assertEquals(TaskQueues.ORCHESTRATOR,
                StageActivityOptions.forRequest(ModifyDatasetRequest.shuffle(DatasetOperation.SHUFFLE_WITHIN_RESPONSES)).getTaskQueue());
        assertEquals(TaskQueues.GPU,
                StageActivityOptions.forRequest(ModifyDatasetRequest.llmBiasedRewrite("qwen", "owl", "animal", true)).getTaskQueue());
    }
}
