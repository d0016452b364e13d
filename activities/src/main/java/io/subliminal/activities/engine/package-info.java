/**
 * The engine behind small stage-sized interfaces: batched sampling ({@link io.subliminal.activities.engine.TokenSampler}),
 * teacher forcing ({@link io.subliminal.activities.engine.TeacherForcing}), the merge of request sampling settings
 * with a model's generation defaults ({@link io.subliminal.activities.engine.Decoding}) and model loading.
 */
package io.subliminal.activities.engine;
