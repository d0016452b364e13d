/**
 * Shared support of the stage activities: heartbeats ({@link io.subliminal.activities.support.ActivityContext}),
 * failure mapping, content-keyed outputs and idempotency ({@link io.subliminal.activities.support.StageOutputs}), the
 * store border ({@link io.subliminal.activities.support.StageStore}), resumable partial files, the worker-process
 * model cache and the evaluation-time application of finetuned weights.
 */
package io.subliminal.activities.support;
