/**
 * Stage activity interfaces and their payload records: the contract between the deterministic workflows and the
 * GPU/CPU workers. One {@code @ActivityInterface} per stage; requests carry every option of the original scripts
 * (PROTOCOL.md §2-§11) with the paper's values in static factories, plus {@link io.subliminal.workflows.payload.ArtifactRef}
 * inputs; results carry ArtifactRefs and small metrics. Non-retryable failure types are in {@link
 * io.subliminal.workflows.stage.StageFailures}.
 */
package io.subliminal.workflows.stage;
