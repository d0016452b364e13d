package io.subliminal.workflows.plan;

import java.util.Objects;

/**
 * Where a stage input comes from: output {@code output} of the run's stage {@code stage} (content key {@code stageKey}).
 */
public record InputBinding(String stage, String stageKey, String output) {
    public InputBinding {
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(stageKey, "stageKey");
        Objects.requireNonNull(output, "output");
    }

    /** The form used inside content keys: "key#output". */
    public String canonical() {
        return stageKey + "#" + output;
    }
}
