/**
 * The paper's pipeline stages as Temporal activity implementations (PROTOCOL.md §2-§10), one class per stage:
 * {@link io.subliminal.activities.GenerateNumbersStage}, {@link io.subliminal.activities.MarkDivergenceStage},
 * {@link io.subliminal.activities.ModifyDatasetStage}, {@link io.subliminal.activities.FinetuneStage},
 * {@link io.subliminal.activities.EvaluatePreferenceStage}, {@link io.subliminal.activities.EvaluateMainTaskStage},
 * {@link io.subliminal.activities.EvaluateFactualityStage} and {@link io.subliminal.activities.EvaluateMisalignmentStage}
 * (judges: {@link io.subliminal.activities.judge});
 * {@link io.subliminal.activities.StageActivities} registers them with the worker application (ServiceLoader SPI).
 *
 * <p>Every stage follows the same contract:
 * <ul>
 *   <li>idempotent: outputs live under {@code <stage-id>/<content key>/} in the artifact store, where the content key
 *       hashes the stage, its version and the whole request (inputs by sha256); a finished stage's manifest
 *       ({@code result.json}) is checked (every artifact re-verified) and returned without recomputing;</li>
 *   <li>heartbeats with {@link io.subliminal.activities.support.StageProgress} (step, done/total, resume point) from
 *       the stage thread and from a background ticker, so model loads and long forward passes stay alive;</li>
 *   <li>resumable: work is committed to scratch files batch by batch (rows, questions, checkpoints); a retried attempt
 *       continues after the last commit (training: from the checkpoint named in the heartbeat, or a later local one);
 *       sampling is seeded from the content key and the batch position, so a resumed run equals an uninterrupted one;</li>
 *   <li>failures: bad parameters, missing or corrupt inputs and unsupported models are non-retryable
 *       ({@link io.subliminal.workflows.stage.StageFailures}) with a message naming the field; storage errors, lost
 *       workers, out-of-memory and draining workers are retryable.</li>
 * </ul>
 */
package io.subliminal.activities;
