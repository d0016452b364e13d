package io.subliminal.workflows.stage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Dataset transformations. Operations with {@link DatasetOperation#requiresGpu()} run on the GPU queue, the others on
 * the orchestrator queue; the same implementation class serves both.
 */
@ActivityInterface
public interface ModifyDatasetActivity {
    @ActivityMethod
    ModifyDatasetResult modifyDataset(ModifyDatasetRequest request);
}
