package io.subliminal.engine.train;

import io.subliminal.engine.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * One linear projection that gets a LoRA adapter.
 *
 * @param modulePath HF module path, e.g. {@code model.layers.3.self_attn.q_proj}
 * @param layer decoder layer index
 * @param module projection name, e.g. {@code q_proj}
 * @param inFeatures input width of the projection (columns of its HF weight [out, in])
 * @param outFeatures output width of the projection
 */
public record LoraTarget(String modulePath, int layer, String module, int inFeatures, int outFeatures) {

    /**
     * The projections of {@code model} that {@code lora} selects, layer by layer in the order of
     * {@link LoraConfig#targetModules()}. Like PEFT's suffix matching, names the architecture does not have are
     * skipped (Phi-3 has no separate q/k/v or gate/up); at least one must match.
     */
    public static List<LoraTarget> resolve(ModelConfig model, LoraConfig lora) {
        if (lora.layersToTransform() != null) {
            for (int i : lora.layersToTransform()) {
                if (i >= model.numLayers()) {
                    throw new IllegalArgumentException("LoRA field 'layersToTransform' has layer " + i
                            + " but the model has " + model.numLayers() + " layers");
                }
            }
        }
        List<LoraTarget> out = new ArrayList<>();
        for (int layer = 0; layer < model.numLayers(); layer++) {
            if (!lora.transformsLayer(layer)) {
                continue;
            }
            for (String module : lora.targetModules()) {
                int[] dims = dims(model, module);
                if (dims != null) {
                    out.add(new LoraTarget(modulePath(layer, module), layer, module, dims[0], dims[1]));
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("LoRA field 'targetModules' " + lora.targetModules()
                    + " matches no projection of model type " + model.modelType());
        }
        return List.copyOf(out);
    }

    /** {@code model.layers.{layer}.self_attn.{module}} or {@code model.layers.{layer}.mlp.{module}}. */
    public static String modulePath(int layer, String module) {
        String block = switch (module) {
            case "q_proj", "k_proj", "v_proj", "o_proj", "qkv_proj" -> "self_attn";
            case "gate_proj", "up_proj", "down_proj", "gate_up_proj" -> "mlp";
            default -> throw new IllegalArgumentException("unknown LoRA target module '" + module + "'");
        };
        return "model.layers." + layer + "." + block + "." + module;
    }

    /** {in, out} of a projection, or null when the architecture has no such module. */
    private static int[] dims(ModelConfig c, String module) {
        int hidden = c.hiddenSize();
        int q = c.numHeads() * c.headDim();
        int kv = c.numKvHeads() * c.headDim();
        int inter = c.intermediateSize();
        boolean fused = c.isPhi3();
        return switch (module) {
            case "q_proj" -> fused ? null : new int[] {hidden, q};
            case "k_proj", "v_proj" -> fused ? null : new int[] {hidden, kv};
            case "o_proj" -> new int[] {q, hidden};
            case "gate_proj", "up_proj" -> fused ? null : new int[] {hidden, inter};
            case "down_proj" -> new int[] {inter, hidden};
            case "qkv_proj" -> fused ? new int[] {hidden, q + 2 * kv} : null;
            case "gate_up_proj" -> fused ? new int[] {hidden, 2 * inter} : null;
            default -> throw new IllegalArgumentException("unknown LoRA target module '" + module + "'");
        };
    }
}
