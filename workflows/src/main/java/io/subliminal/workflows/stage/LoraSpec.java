package io.subliminal.workflows.stage;

import java.util.List;

/**
 * LoRA adapter settings (PROTOCOL.md §7.1, §7.6).
 *
 * @param rank r (8 in the paper)
 * @param alpha scaling numerator (default = rank, so scale 1.0)
 * @param dropout adapter dropout (0.0)
 * @param targetModules projection names (the seven of §7.1)
 * @param layersToTransform decoder layer indices that get adapters; empty = every layer (Fig 5, Figs 39-41)
 */
public record LoraSpec(int rank, double alpha, double dropout, List<String> targetModules, List<Integer> layersToTransform) {
    /** The seven projections of every decoder layer. */
    public static final List<String> ALL_MODULES = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public LoraSpec {
        Checks.positive("lora.rank", rank);
        Checks.positive("lora.alpha", alpha);
        Checks.check(dropout >= 0 && dropout < 1, "lora.dropout must be in [0, 1), got " + dropout);
        targetModules = Checks.list(targetModules);
        layersToTransform = Checks.list(layersToTransform).stream().sorted().distinct().toList();
        Checks.check(!targetModules.isEmpty(), "lora.targetModules must not be empty");
        for (String module : targetModules) {
            Checks.check(ALL_MODULES.contains(module), "lora.targetModules: unknown module '" + module + "'; known: " + ALL_MODULES);
        }
        for (int layer : layersToTransform) {
            Checks.check(layer >= 0, "lora.layersToTransform must be >= 0, got " + layer);
        }
    }

    /** Rank r, alpha = r, no dropout, all seven modules, all layers. */
    public static LoraSpec rank(int rank) {
        return new LoraSpec(rank, rank, 0.0, ALL_MODULES, List.of());
    }

    /** The paper's adapter restricted to the given layers. */
    public LoraSpec onLayers(List<Integer> layers) {
        return new LoraSpec(rank, alpha, dropout, targetModules, layers);
    }
}
