package io.subliminal.workflows.stage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Student training (GPU). Implementations heartbeat every optimizer step with the last saved checkpoint step as
 * details; on retry (or after a drained worker handed the activity back) they resume from that checkpoint.
 */
@ActivityInterface
public interface FinetuneActivity {
    @ActivityMethod
    FinetuneResult finetune(FinetuneRequest request);
}
