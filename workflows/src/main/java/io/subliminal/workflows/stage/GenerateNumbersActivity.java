package io.subliminal.workflows.stage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Teacher sampling (GPU). Implementations heartbeat every batch with the number of finished prompts as details and
 * resume from the last heartbeat on retry; invalid requests fail with {@link StageFailures#INVALID_INPUT}.
 */
@ActivityInterface
public interface GenerateNumbersActivity {
    @ActivityMethod
    GenerateNumbersResult generateNumbers(GenerateNumbersRequest request);
}
