package io.subliminal.workflows.sweep;

/** A run's report to its sweep that one of its stages changed status (drives the sweep's live grid). */
public record StageChange(String runId, String stage, StageStatus status) {
}
