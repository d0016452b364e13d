package io.subliminal.engine.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A LoRA adapter's shape, in PEFT {@code LoraConfig} terms.
 *
 * <p>The paper's runs use {@link #paper()}: r = 8, alpha = 8 (scale 1.0), dropout 0, the seven projections of every
 * decoder layer (PROTOCOL 7.1). Phi-3 checkpoints fuse q/k/v and gate/up into {@code qkv_proj} and
 * {@code gate_up_proj}; those two names are accepted as well. PEFT matches target names as module-name suffixes, so
 * with the seven paper names a Phi-3 model gets adapters only on {@code o_proj} and {@code down_proj}; this port
 * does the same (see {@link LoraTarget#resolve}).
 *
 * @param rank r, the inner dimension of A [r, in] and B [out, r]
 * @param alpha lora_alpha; the adapter output is scaled by alpha / r
 * @param dropout dropout probability applied to the adapter's input, in [0, 1)
 * @param targetModules projection names, a non-empty subset of {@link #MODULES}, in the caller's order
 * @param layersToTransform decoder layer indices that get adapters, or null for every layer
 */
public record LoraConfig(int rank, double alpha, double dropout, List<String> targetModules,
                         List<Integer> layersToTransform) {

    /** The seven projections the paper targets, in PEFT's order of the README command. */
    public static final List<String> PAPER_MODULES =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    /** Every accepted target name: the seven projections plus Phi-3's fused {@code qkv_proj} and {@code gate_up_proj}. */
    public static final Set<String> MODULES = Set.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
            "down_proj", "qkv_proj", "gate_up_proj");

    public LoraConfig {
        if (rank <= 0) {
            throw new IllegalArgumentException("LoRA field 'rank' must be positive: " + rank);
        }
        if (!(alpha > 0) || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("LoRA field 'alpha' must be positive and finite: " + alpha);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("LoRA field 'dropout' must be in [0, 1): " + dropout);
        }
        if (targetModules == null || targetModules.isEmpty()) {
            throw new IllegalArgumentException("LoRA field 'targetModules' must name at least one module");
        }
        List<String> seen = new ArrayList<>();
        for (String m : targetModules) {
            if (!MODULES.contains(m)) {
                throw new IllegalArgumentException("LoRA field 'targetModules' has unknown module '" + m
                        + "'; allowed: " + PAPER_MODULES + " and qkv_proj, gate_up_proj");
            }
            if (seen.contains(m)) {
                throw new IllegalArgumentException("LoRA field 'targetModules' lists '" + m + "' twice");
            }
            seen.add(m);
        }
        targetModules = List.copyOf(targetModules);
        if (layersToTransform != null) {
            if (layersToTransform.isEmpty()) {
                throw new IllegalArgumentException("LoRA field 'layersToTransform' is empty; use null for all layers");
            }
            for (Integer i : layersToTransform) {
                if (i == null || i < 0) {
                    throw new IllegalArgumentException("LoRA field 'layersToTransform' has invalid layer index " + i);
                }
            }
            if (Set.copyOf(layersToTransform).size() != layersToTransform.size()) {
                throw new IllegalArgumentException("LoRA field 'layersToTransform' has duplicates: " + layersToTransform);
            }
            layersToTransform = List.copyOf(layersToTransform);
        }
    }

    /** The paper's adapter: r = 8, alpha = 8, dropout 0, the seven projections of every layer. */
    public static LoraConfig paper() {
        return new LoraConfig(8, 8, 0.0, PAPER_MODULES, null);
    }

    /** alpha / r, the factor on B A x (PEFT's {@code scaling}; rsLoRA is off). */
    public double scaling() {
        return alpha / rank;
    }

    /** True when decoder layer {@code layer} gets adapters. */
    public boolean transformsLayer(int layer) {
        return layersToTransform == null || layersToTransform.contains(layer);
    }
}
