package io.subliminal.activities.support;

import io.subliminal.activities.engine.TeacherForcing;
import io.subliminal.activities.engine.TokenSampler;

/**
 * What every stage implementation of a worker process shares: the artifact store, the model catalog and the
 * process-wide model cache, the engine's sampler and teacher-forcing scorer, and the reference data.
 */
public record StageEnvironment(StageStore store, ModelCatalog catalog, ModelCache models, TokenSampler sampler,
                               TeacherForcing teacherForcing, ReferenceData reference) {

    /** The loaded model for registry name {@code name} (request field {@code field}), loading it on first use. */
    public LoadedModel model(String field, String name) {
        return models.get(catalog.key(field, name));
    }
}
