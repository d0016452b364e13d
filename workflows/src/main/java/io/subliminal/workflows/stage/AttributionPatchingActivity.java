package io.subliminal.workflows.stage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Attribution patching (GPU); heartbeats the number of finished rows and resumes after them. */
@ActivityInterface
public interface AttributionPatchingActivity {
    @ActivityMethod
    AttributionPatchingResult attributionPatching(AttributionPatchingRequest request);
}
