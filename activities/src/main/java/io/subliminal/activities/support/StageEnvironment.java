package io.subliminal.activities.support;

import io.subliminal.activities.engine.TeacherForcing;
import io.subliminal.activities.judge.JudgeEndpoints;
import io.subliminal.activities.engine.TokenSampler;
import io.temporal.failure.ApplicationFailure;

import java.util.function.BooleanSupplier;

/**
 * What every stage implementation of a worker process shares: the artifact store, the model catalog and the
 * process-wide model cache, the engine's sampler and teacher-forcing scorer, the reference data, whether the worker
 * is draining (shutting down: stages stop at their next durable point and fail retryably, so another worker resumes
 * them), and the judges served over HTTP (judge names not listed there are local registry models).
 */
public record StageEnvironment(StageStore store, ModelCatalog catalog, ModelCache models, TokenSampler sampler,
                               TeacherForcing teacherForcing, ReferenceData reference, BooleanSupplier draining,
                               JudgeEndpoints judges) {

    /** Failure type of a stage handed back by a draining worker (retryable). */
    public static final String DRAINING = "WorkerDraining";

    public StageEnvironment {
        draining = draining == null ? () -> false : draining;
        judges = judges == null ? JudgeEndpoints.none() : judges;
    }

    /** An environment without HTTP judges. */
    public StageEnvironment(StageStore store, ModelCatalog catalog, ModelCache models, TokenSampler sampler,
                            TeacherForcing teacherForcing, ReferenceData reference, BooleanSupplier draining) {
        this(store, catalog, models, sampler, teacherForcing, reference, draining, JudgeEndpoints.none());
    }

    /** The same environment with {@code judges} as its HTTP judges. */
    public StageEnvironment withJudges(JudgeEndpoints judges) {
        return new StageEnvironment(store, catalog, models, sampler, teacherForcing, reference, draining, judges);
    }

    /** The loaded model for registry name {@code name} (request field {@code field}), loading it on first use. */
    public LoadedModel model(String field, String name) {
        return models.get(catalog.key(field, name));
    }

    /** Call right after a durable point: a draining worker hands the activity back (retryable) from there. */
    public void checkDraining(String where) {
        if (draining.getAsBoolean()) {
            throw ApplicationFailure.newFailure("worker is draining; " + where + " is saved, another worker resumes", DRAINING);
        }
    }
}
