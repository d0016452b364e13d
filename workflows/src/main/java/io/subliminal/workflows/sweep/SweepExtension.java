package io.subliminal.workflows.sweep;

import java.util.List;

/** The addRuns update: more targets and/or seeds for a running sweep (validated before it is accepted). */
public record SweepExtension(List<String> targets, List<Long> seeds) {
    public SweepExtension {
        targets = targets == null ? List.of() : List.copyOf(targets);
        seeds = seeds == null ? List.of() : List.copyOf(seeds);
    }
}
