package io.subliminal.activities.support;

import io.subliminal.data.DatasetRow;
import io.subliminal.data.Jsonl;
import io.subliminal.workflows.payload.ArtifactRef;

import java.nio.file.Path;
import java.util.List;

/** Reading input datasets of a stage and naming outputs after them, as the original scripts do. */
public final class DatasetFiles {
    private DatasetFiles() {
    }

    /** All rows of the dataset bound to {@code slot}; a malformed row fails non-retryably, naming slot and line. */
    public static List<DatasetRow> read(StageStore store, ArtifactRef ref, String slot) {
        Path file = store.localCopy(ref, slot);
        try {
            return Jsonl.read(file);
        } catch (IllegalArgumentException e) {
            throw InvalidInputException.field(slot, e.getMessage());
        }
    }

    /** The file name of an artifact without {@code .jsonl} ("filtered_dataset"), the base of derived names. */
    public static String baseName(ArtifactRef ref) {
        String uri = ref.uri();
        String name = uri.substring(uri.lastIndexOf('/') + 1);
        return name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
    }
}
