package io.subliminal.workflows.recipe;

import java.util.Objects;

/**
 * A model of the registry ({@code cfgs/models.yaml}).
 *
 * @param name short registry name used in recipes ("qwen")
 * @param hfId Hugging Face id, or the embedded model's id
 * @param family architecture family: qwen2, gemma3, phi3, llama, mistral
 * @param layers decoder layers
 * @param role what the paper uses it for
 * @param source where the worker loads it from: "hf" (a converted checkpoint under the models directory) or "gguf"
 * @param markable divergence marking and attribution patching support it (the original: qwen and gemma only;
 *        this port also marks ChatML models such as SmolLM2)
 */
public record ModelSpec(String name, String hfId, String family, int layers, String role, String source, boolean markable) {
    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hfId, "hfId");
        Objects.requireNonNull(family, "family");
        if (layers <= 0) {
            throw new IllegalArgumentException("model " + name + ": layers must be > 0, got " + layers);
        }
    }

    /** True when the divergence and attribution code supports the family (hard-coded token ids, §13). */
    public boolean supportsDivergence() {
        return markable;
    }

    /** The teacher-set family name of {@code Targets.divergenceTeachers}. */
    public String teacherSetFamily() {
        return family.equals("gemma3") ? "gemma" : "qwen";
    }
}
