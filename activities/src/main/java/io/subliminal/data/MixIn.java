package io.subliminal.data;

import java.util.List;

/**
 * Rows mixed into a finetuning set ({@code --mixin_dataset_path}, {@code --mixin_dataset_size}, PROTOCOL §7.4).
 *
 * @param datasetPath the mix-in file path as given (used in dataset_config.json and the run name)
 * @param rows        all rows of that file
 * @param size        how many rows to sample and put in place of the last rows
 */
public record MixIn(String datasetPath, List<DatasetRow> rows, int size) {

    public MixIn {
        rows = List.copyOf(rows);
        if (size <= 0 || size > rows.size()) {
            throw new IllegalArgumentException("mixin_dataset_size must be in [1, " + rows.size() + "], got " + size);
        }
    }
}
