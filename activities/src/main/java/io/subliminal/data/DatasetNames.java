package io.subliminal.data;

/**
 * File names of the pipeline's datasets inside {@code EXP/<model>/<preference>/seed-42/} (PROTOCOL §1), as the
 * original scripts expect them. {@code base} is a dataset name without {@code .jsonl}, e.g. "filtered_dataset".
 */
public final class DatasetNames {

    /** All teacher samples (temperature sampling). */
    public static final String RAW = "raw_dataset";
    /** Samples passing the format filter (temperature sampling). */
    public static final String FILTERED = "filtered_dataset";
    /** All greedy-decoded samples. */
    public static final String RAW_GREEDY = "raw_dataset_greedy";
    /** Greedy samples passing the filter (the name later scripts look for). */
    public static final String FILTERED_GREEDY = "filtered_dataset_greedy";
    /** The folder named after the prompt-generation seed. */
    public static final String SEED_FOLDER = "seed-42";

    private DatasetNames() {
    }

    /** {@code <base>.jsonl}. */
    public static String file(String base) {
        return base + ".jsonl";
    }

    /** Divergence-marked rows: {@code <base>_dpoints_only.jsonl}. */
    public static String decisionPoints(String base) {
        return base + "_dpoints_only.jsonl";
    }

    /** Per-row correctness matrices: {@code <base>_correct_matrices.jsonl}. */
    public static String correctMatrices(String base) {
        return base + "_correct_matrices.jsonl";
    }

    /** Entangled-number filtered rows: {@code <base>_topk_<k>.jsonl}. */
    public static String topK(String base, int k) {
        return base + "_topk_" + k + ".jsonl";
    }
}
