package io.subliminal.store;

import java.util.Objects;

/**
 * Who produced an artifact: the pipeline stage and the content key that identifies its inputs (an idempotent stage
 * skips its work when an artifact with the same content key is already stored).
 *
 * @param stage producing stage, e.g. {@code teacher-sample}
 * @param contentKey identity of the stage's inputs, e.g. a hash of config, seed and input artifact digests
 */
public record Provenance(String stage, String contentKey) {

    public Provenance {
        Manifest.checkText("stage", stage);
        Manifest.checkText("contentKey", contentKey);
    }

    static Provenance of(Manifest m) {
        Objects.requireNonNull(m, "manifest");
        return new Provenance(m.stage(), m.contentKey());
    }
}
