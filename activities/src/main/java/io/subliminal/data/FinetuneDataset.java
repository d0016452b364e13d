package io.subliminal.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows one finetuning run trains on, assembled in the original order (PROTOCOL §7.2-7.4): seeded 10k
 * subsample, mix-in replacing the last m rows, and, for divergence-marked input, dropping rows without divergence
 * tokens (for div-only and inverse alike).
 *
 * @param rows             the training rows in order (before the trainer's shuffling)
 * @param decisionPoints   per training row its D, or null for unmarked input
 * @param trainIndices     the indices drawn from the input file
 * @param mixinIndices     the indices drawn from the mix-in file, or null
 * @param maxDatasetSize   the value recorded as max_dataset_size (N_train)
 * @param datasetConfig    dataset_config.json content, in the original's key order
 */
public record FinetuneDataset(List<DatasetRow> rows, List<List<Integer>> decisionPoints, int[] trainIndices,
                              int[] mixinIndices, int maxDatasetSize, Map<String, Object> datasetConfig) {

    /** The paper's training-set size. */
    public static final int PAPER_SIZE = 10_000;

    /**
     * Assembles the training rows.
     *
     * @param datasetPath          the input file path as given (recorded in dataset_config.json)
     * @param input                all rows of the input file
     * @param maxDatasetSize       {@code --max_dataset_size} (10,000 in the paper), or null for all rows
     * @param allowSmallerDatasets {@code --allow_smaller_datasets}
     * @param seed                 the finetuning seed
     * @param mixIn                mix-in rows, or null
     */
    public static FinetuneDataset assemble(String datasetPath, List<DatasetRow> input, Integer maxDatasetSize,
                                           boolean allowSmallerDatasets, long seed, MixIn mixIn) {
        if (input.isEmpty()) {
            throw new IllegalArgumentException("dataset " + datasetPath + " is empty");
        }
        boolean marked = input.get(0).isMarked();
        Integer max = maxDatasetSize;
        if (max != null && max <= 0) {
            throw new IllegalArgumentException("max_dataset_size must be positive, got " + max);
        }
        if (allowSmallerDatasets && max != null) {
            max = Math.min(max, input.size());
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("dataset_path", datasetPath);
        config.put("max_dataset_size", max);

        int[] mixinIndices = null;
        List<DatasetRow> mixRows = null;
        if (mixIn != null) {
            mixinIndices = new PythonRandom(seed).sampleRange(mixIn.rows().size(), mixIn.size());
            mixRows = new ArrayList<>(mixinIndices.length);
            for (int i : mixinIndices) {
                mixRows.add(mixIn.rows().get(i));
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dataset_path", mixIn.datasetPath());
            m.put("dataset_size", mixIn.size());
            m.put("train_indices", mixinIndices);
            config.put("mixin", m);
        }

        int[] trainIndices;
        if (max != null && input.size() > max) {
            trainIndices = new PythonRandom(seed).sampleRange(input.size(), max);
        } else {
            trainIndices = new int[input.size()];
            for (int i = 0; i < trainIndices.length; i++) {
                trainIndices[i] = i;
            }
            max = input.size();
            config.put("max_dataset_size", max);
        }
        config.put("train_indices", trainIndices);

        List<DatasetRow> rows = new ArrayList<>(trainIndices.length);
        List<List<Integer>> points = marked ? new ArrayList<>(trainIndices.length) : null;
        for (int i : trainIndices) {
            DatasetRow r = input.get(i);
            rows.add(r);
            if (marked) {
                if (!r.isMarked()) {
                    throw new IllegalArgumentException("row " + i + " of " + datasetPath + " lacks decision_points "
                            + "while the first row has them");
                }
                points.add(r.decisionPoints());
            }
        }
        if (mixRows != null) {
            if (mixRows.size() > rows.size()) {
                throw new IllegalArgumentException("mixin_dataset_size " + mixRows.size() + " exceeds the "
                        + rows.size() + " training rows");
            }
            // QUIRK (original): the mixed-in rows take the places of the last m rows; decision points stay aligned
            // by position, so with marked input the mixed-in rows inherit the replaced rows' D.
            List<DatasetRow> mixed = new ArrayList<>(rows.subList(0, rows.size() - mixRows.size()));
            mixed.addAll(mixRows);
            rows = mixed;
        }
        int nTrain = rows.size();
        if (marked) {
            List<DatasetRow> kept = new ArrayList<>();
            List<List<Integer>> keptPoints = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                if (!points.get(i).isEmpty()) {
                    kept.add(rows.get(i));
                    keptPoints.add(points.get(i));
                }
            }
            rows = kept;
            points = keptPoints;
            nTrain = kept.size();
            max = nTrain;
            config.put("max_dataset_size", nTrain);
        }
        return new FinetuneDataset(List.copyOf(rows), points == null ? null : List.copyOf(points), trainIndices,
                mixinIndices, max, config);
    }

    /** dataset_config.json as the original writes it ({@code json.dump(indent=4)}). */
    public String datasetConfigJson() {
        return PythonJson.dumps(datasetConfig, 4);
    }
}
