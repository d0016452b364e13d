package io.subliminal.workflows.stage;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Preference evaluation (GPU); heartbeats the number of finished questions. */
@ActivityInterface
public interface EvaluatePreferenceActivity {
    @ActivityMethod
    EvaluatePreferenceResult evaluatePreference(EvaluatePreferenceRequest request);
}
