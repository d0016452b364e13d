package io.subliminal.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The finetuning run-directory name (PROTOCOL §7.8), built exactly as {@code run_finetuning.py} builds it so that the
 * evaluation scripts find the runs.
 *
 * @param datasetPath        the training file path
 * @param mixinDatasetPath   the mix-in file path ({@code .../<model>/<pref>/<seedfolder>/file.jsonl}), or null
 * @param mixinDatasetSize   the mix-in size (when mixing)
 * @param studentModelId     the student's model id (decides whether the mix-in model name is written)
 * @param inverse            {@code --decision_points_inverse}
 * @param ratio              {@code --decision_points_ratio}, or null
 * @param subset             {@code --decision_points_subset} name, or null
 * @param loraRank           the LoRA rank, or null for full finetuning
 * @param layers             {@code --lora_layers_to_transform}, or null
 * @param scheduler          the lr scheduler name
 * @param seed               the finetuning seed
 * @param systemPromptInfo   {@code --system_prompt_info} is set
 * @param emptySystemPrompt  {@code --empty_system_prompt} is set
 */
public record RunDirName(String datasetPath, String mixinDatasetPath, Integer mixinDatasetSize, String studentModelId,
                         boolean inverse, Double ratio, String subset, Integer loraRank, List<Integer> layers,
                         String scheduler, long seed, boolean systemPromptInfo, boolean emptySystemPrompt) {

    public RunDirName {
        if (systemPromptInfo && emptySystemPrompt) {
            throw new IllegalArgumentException("Please only provide one of --system_prompt_info and --empty_system_prompt");
        }
        if (mixinDatasetPath != null && (mixinDatasetSize == null || studentModelId == null)) {
            throw new IllegalArgumentException("mixin needs mixin_dataset_size and the student model id");
        }
        layers = layers == null ? null : List.copyOf(layers);
        scheduler = scheduler == null ? "linear" : scheduler;
    }

    /** A paper-style LoRA run name with only the dataset, rank and seed set. */
    public static RunDirName lora(String datasetPath, int rank, long seed) {
        return new RunDirName(datasetPath, null, null, null, false, null, null, rank, null, "linear", seed, false, false);
    }

    /** The directory name. */
    public String name() {
        String base = Path.of(datasetPath).getFileName().toString();
        int dot = base.lastIndexOf('.');
        if (dot > 0) {
            base = base.substring(0, dot); // os.path.splitext
        }
        StringBuilder n = new StringBuilder(base.replace('_', '-'));
        if (mixinDatasetPath != null) {
            Path parent = Path.of(mixinDatasetPath).getParent();
            if (parent == null || parent.getNameCount() < 3) {
                throw new IllegalArgumentException("mixin_dataset_path must sit in <model>/<preference>/<seed folder>/: "
                        + mixinDatasetPath);
            }
            int c = parent.getNameCount();
            String model = parent.getName(c - 3).toString();
            String pref = parent.getName(c - 2).toString();
            String seedFolder = parent.getName(c - 1).toString();
            String ident = studentModelId.toLowerCase(Locale.ROOT).contains(model)
                    ? pref + "-" + seedFolder : model + "-" + pref + "-" + seedFolder;
            n.append("-mixin-").append(ident).append('-').append(mixinDatasetSize);
        }
        if (inverse) {
            n.append("-inverse");
        }
        if (ratio != null) {
            n.append("-ratio-").append(PyFormat.fixed0(ratio * 100));
        }
        if (subset != null) {
            n.append("-subset-").append(subset);
        }
        n.append(loraRank != null ? "-lora-" + loraRank : "-full");
        if (layers != null) {
            List<Integer> sorted = new ArrayList<>(layers);
            sorted.sort(null);
            n.append("-layers");
            if (sorted.size() == 1) {
                n.append('-').append(sorted.get(0));
            } else if (isRange(sorted)) {
                n.append('-').append(sorted.get(0)).append("to").append(sorted.get(sorted.size() - 1));
            } else {
                for (int l : sorted) {
                    n.append('-').append(l);
                }
            }
        }
        if (!scheduler.equals("linear")) {
            n.append("-scheduler-").append(scheduler);
        }
        n.append("-seed-").append(seed);
        if (systemPromptInfo) {
            n.append("-system-prompt");
        }
        if (emptySystemPrompt) {
            n.append("-empty-system-prompt");
        }
        return n.toString();
    }

    private static boolean isRange(List<Integer> sorted) {
        int first = sorted.get(0);
        int last = sorted.get(sorted.size() - 1);
        if (sorted.size() != last - first + 1) {
            return false;
        }
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i) != first + i) {
                return false;
            }
        }
        return true;
    }
}
