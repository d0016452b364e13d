/**
 * Stage activity interfaces and their payload records: the contract between the deterministic workflows and the
 * GPU/CPU workers. One {@code @ActivityInterface} per stage; requests carry every option of the original scripts
 * (PROTOCOL.md §2-§11) with the paper's values in static factories, plus {@link io.subliminal.workflows.payload.ArtifactRef}
 * inputs; results carry ArtifactRefs and small metrics.
 *
 * <p>Contract for implementations (registered through {@link io.subliminal.workflows.stage.StageActivityProvider}):
 * <ul>
 *   <li>heartbeat at least once a minute, model loading included (heartbeat timeout: 5 minutes), with progress
 *       details (finished rows, last checkpoint step); on a retry, read {@code getHeartbeatDetails} and resume;</li>
 *   <li>when a heartbeat throws {@code ActivityCompletionException} (cancelled: nobody waits any more) stop, free the
 *       GPU and rethrow; when {@code WorkerEnvironment.draining()} turns true, save a checkpoint, heartbeat it and
 *       fail with the retryable type {@link io.subliminal.workflows.stage.StageFailures#WORKER_DRAINED};</li>
 *   <li>errors a retry cannot fix fail with a non-retryable type of {@link io.subliminal.workflows.stage.StageFailures}
 *       whose message names the field, tensor or file;</li>
 *   <li>outputs are written atomically and identified by content (sha256), so a retried attempt may overwrite them.</li>
 * </ul>
 */
package io.subliminal.workflows.stage;
