package io.subliminal.activities.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.data.AtomicFiles;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.recipe.CanonicalJson;
import io.subliminal.workflows.stage.StageRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where one stage invocation keeps its outputs, and its idempotency. The location is derived from the request's
 * content (stage id, stage version, every parameter and every input's sha256), so the same request always maps to
 * the same place: {@code <stage-id>/<content key>/}. The stage's result record is written last as
 * {@code result.json} (the manifest); a stage whose manifest exists and whose artifacts all verify returns it
 * without recomputing.
 */
public final class StageOutputs {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    public static final String MANIFEST = "result.json";

    private final StageStore store;
    private final String prefix;
    private final String contentKey;
    private final String stageId;

    private StageOutputs(StageStore store, String stageId, String contentKey) {
        this.store = store;
        this.stageId = stageId;
        this.contentKey = contentKey;
        this.prefix = stageId + "/" + contentKey + "/";
    }

    /** The outputs of {@code request} in {@code store}. */
    public static StageOutputs of(StageStore store, StageRequest request) {
        return new StageOutputs(store, request.kind().id(), contentKey(request));
    }

    /** SHA-256 of the canonical JSON of {stage, version, request}; inputs enter through their sha256 and uri. */
    public static String contentKey(StageRequest request) {
        Map<String, Object> keyed = new LinkedHashMap<>();
        keyed.put("stage", request.kind().id());
        keyed.put("version", request.kind().version());
        keyed.put("request", request);
        return CanonicalJson.sha256(keyed);
    }

    public String contentKey() {
        return contentKey;
    }

    /** The previous result when its manifest exists and every artifact it names verifies. */
    public <R> Optional<R> completed(Class<R> resultType) {
        Optional<ArtifactRef> manifest = store.find(prefix + MANIFEST);
        if (manifest.isEmpty()) {
            return Optional.empty();
        }
        try {
            Path file = store.localCopy(manifest.get(), MANIFEST);
            JsonNode tree = MAPPER.readTree(file.toFile());
            for (ArtifactRef ref : artifactsIn(tree)) {
                if (!store.verify(ref)) {
                    return Optional.empty();
                }
            }
            return Optional.of(MAPPER.treeToValue(tree, resultType));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Publishes a finished output file under this invocation's location. */
    public ArtifactRef publish(String name, Path file) {
        return store.put(prefix + name, file, stageId, contentKey);
    }

    /** The output {@code name} of this invocation if an attempt already published it. */
    public Optional<ArtifactRef> find(String name) {
        return store.find(prefix + name);
    }

    /** A verified local copy of an artifact this invocation published (e.g. a checkpoint of an earlier attempt). */
    public Path localCopy(ArtifactRef ref, String name) {
        return store.localCopy(ref, name);
    }

    /** Writes the manifest; call once every artifact of {@code result} is published. Returns {@code result}. */
    public <R> R complete(R result) {
        Path tmp = scratch().resolve(MANIFEST);
        try {
            AtomicFiles.writeString(tmp, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write manifest of " + prefix, e);
        }
        store.put(prefix + MANIFEST, tmp, stageId, contentKey);
        return result;
    }

    /** Scratch space of this invocation (partial files, checkpoints), kept across attempts on this worker. */
    public Path scratch() {
        return store.scratch(prefix.substring(0, prefix.length() - 1));
    }

    /** Removes the scratch folder after the manifest is written. */
    public void clearScratch() {
        Path dir = scratch();
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // leftover scratch files waste space but do not affect results
        }
    }

    private static List<ArtifactRef> artifactsIn(JsonNode node) {
        List<ArtifactRef> out = new ArrayList<>();
        collect(node, out);
        return out;
    }

    private static void collect(JsonNode node, List<ArtifactRef> out) {
        if (node.isObject() && node.has("uri") && node.has("sha256") && node.has("size")) {
            out.add(new ArtifactRef(node.get("uri").asText(), node.get("sha256").asText(), node.get("size").asLong()));
            return;
        }
        node.forEach(child -> collect(child, out));
    }
}
