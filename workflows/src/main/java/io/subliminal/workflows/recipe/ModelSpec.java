package io.subliminal.workflows.recipe;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Objects;

/**
 * A model of the registry ({@code cfgs/models.yaml}).
 *
 * @param name short registry name used in recipes ("qwen")
 * @param hfId Hugging Face id, or the embedded model's id
 * @param family architecture family: qwen2, gemma3, phi3, llama, mistral
 * @param layers decoder layers
 * @param role what the paper uses it for
 * @param source where the worker loads it from: "hf" (a converted checkpoint under the models directory), "gguf"
 *        (the embedded GGUF file) or "s3" (an HF checkpoint directory under {@code uri}, downloaded into the worker
 *        host's model cache)
 * @param markable divergence marking and attribution patching support it (the original: qwen and gemma only;
 *        this port also marks ChatML models such as SmolLM2)
 * @param uri for {@code source: s3}: {@code s3://bucket/prefix/} holding {@code config.json}, the tokenizer files
 *        and the safetensors weights (one file or shards with their index); absent for the other sources. The
 *        checkpoint under a prefix must not change (every content key names the model, not its bytes): new weights
 *        go under a new prefix and name. Left out of the JSON when absent, so registries in workflow inputs
 *        serialize as before
 */
public record ModelSpec(String name, String hfId, String family, int layers, String role, String source, boolean markable,
                        @JsonInclude(JsonInclude.Include.NON_NULL) String uri) {
    /** The sources a worker can load from. */
    public static final List<String> SOURCES = List.of("hf", "gguf", "s3");

    public ModelSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hfId, "hfId");
        Objects.requireNonNull(family, "family");
        if (layers <= 0) {
            throw new IllegalArgumentException("model " + name + ": layers must be > 0, got " + layers);
        }
        if (source != null && !SOURCES.contains(source)) {
            throw new IllegalArgumentException("model " + name + ": source must be one of " + SOURCES + ", got '" + source + "'");
        }
        if ("s3".equals(source)) {
            if (uri == null || !uri.matches("s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^/].*")) {
                throw new IllegalArgumentException("model " + name + ": source s3 needs uri: s3://bucket/prefix/ "
                        + "(a checkpoint directory inside the bucket), got " + (uri == null ? "none" : "'" + uri + "'"));
            }
            uri = uri.endsWith("/") ? uri : uri + "/";
        } else if (uri != null) {
            throw new IllegalArgumentException("model " + name + ": uri is only read for source: s3, not for source '"
                    + source + "'");
        }
    }

    /** A model loaded from the worker's models directory or the embedded file (no uri). */
    public ModelSpec(String name, String hfId, String family, int layers, String role, String source, boolean markable) {
        this(name, hfId, family, layers, role, source, markable, null);
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
