package io.subliminal.activities;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.DatasetFiles;
import io.subliminal.activities.support.DirectoryArchive;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageFailure;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.data.AtomicFiles;
import io.subliminal.data.CompletionSlice;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.PatchingPair;
import io.subliminal.data.PatchingPairs;
import io.subliminal.data.TeacherPrompts;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.patching.AttributionPatching;
import io.subliminal.engine.patching.LogitDifference;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.engine.weights.HostTensor;
import io.subliminal.engine.weights.SafetensorsWriter;
import io.subliminal.engine.loader.SafetensorsFile;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.recipe.ModelSpec;
import io.subliminal.workflows.stage.AttributionPatchingActivity;
import io.subliminal.workflows.stage.AttributionPatchingRequest;
import io.subliminal.workflows.stage.AttributionPatchingResult;
import io.subliminal.workflows.stage.PatchingDirection;
import io.subliminal.workflows.stage.StageFailures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Attribution patching per decoder layer (PROTOCOL.md §11.2, Figs 4, 22-26), one dataset row at a time:
 * <ol>
 *   <li>counterfactual animals: the request's other animals whose {@code " {animal}s"} has the target's token count;</li>
 *   <li>one forward over [system = preference prompt(animal), user = prompt, assistant = completion] for the target
 *       and each counterfactual (rendered and tokenized as in divergence marking), recording every layer's output;
 *       a teacher whose row is not as long as the target's (the prompts would not align) is left out;</li>
 *   <li>per counterfactual c the first completion position j_c where the target's argmax is right and c's wrong
 *       (none: c is left out; no c left: the row is skipped);</li>
 *   <li>m = mean over pairs of logit[g[j_c]] - logit[c's argmax] at position j_c - 1 of the clean run;</li>
 *   <li>per layer, A[pair, pos] = sum over dims of (h_patch - h_clean) times the mean of dm/dh' over
 *       a = 0, 0.1, ..., 0.9 ({@code alphaSteps}), h' = h_clean + a (h_patch - h_clean) replacing the layer's output
 *       in the clean run. Noising: clean = the target's input repeated per pair, patch = the counterfactuals';
 *       denoising swaps them.</li>
 * </ol>
 * Each finished row is published at once ({@code rows/<index>.safetensors}, or {@code rows/<index>.skipped.json})
 * and heartbeated as the resume point; a retry on any worker reuses every published row and continues after the last
 * finished one. The end
 * result is an archive of the row files ({@value #FORMAT} below) and a per-layer summary whose aggregation is this
 * port's assumption ({@link #AGGREGATION}).
 */
public final class AttributionPatchingStage implements AttributionPatchingActivity {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Format tag of the row files and the archive's {@code format.json}. */
    public static final String FORMAT = "subliminal.attribution-patching.v1";
    public static final String SUMMARY_FILE = "layer_summary.json";
    public static final String RESIDUAL_ATTRS = "residual_attrs";

    /** The per-layer aggregation (the released code has none, PROTOCOL.md §11.2/§17); recorded in the summary. */
    public static final String AGGREGATION = "assumed (the original has no aggregation code): for every layer l and "
            + "patched row r, animalPositions(r) = sum over pairs p and over the positions t where the clean and patch "
            + "inputs of p differ (the system-prompt animal tokens) of A_l[p, t]; absolute(r) = sum over p and all t of "
            + "|A_l[p, t]|; total(r) = sum over p and all t of A_l[p, t]. A carries the 1/pairs factor of the mean metric, "
            + "so each is the mean over pairs of the per-pair sum; the summary reports their mean over patched rows.";

    private final StageEnvironment env;

    public AttributionPatchingStage(StageEnvironment env) {
        this.env = env;
    }

    @Override
    public AttributionPatchingResult attributionPatching(AttributionPatchingRequest request) {
        try {
            return run(request);
        } catch (Throwable error) {
            throw StageFailure.classify(error);
        }
    }

    private AttributionPatchingResult run(AttributionPatchingRequest request) {
        ModelSpec spec = env.catalog().spec("model", request.model());
        if (!spec.supportsDivergence()) {
            throw new InvalidInputException("model: '" + request.model() + "' (family " + spec.family()
                    + ") is not supported by attribution patching", StageFailures.UNSUPPORTED_MODEL);
        }
        StageOutputs outputs = StageOutputs.of(env.store(), request);
        Optional<AttributionPatchingResult> done = outputs.completed(AttributionPatchingResult.class);
        if (done.isPresent()) {
            return done.get();
        }
        List<DatasetRow> rows = DatasetFiles.read(env.store(), request.dataset(), AttributionPatchingRequest.DATASET);
        if (request.promptIndexTo() > rows.size()) {
            throw InvalidInputException.field("promptIndexTo", request.promptIndexTo() + " is past the dataset's "
                    + rows.size() + " rows");
        }
        int total = request.promptIndexTo() - request.promptIndexFrom();
        try (ActivityContext context = ActivityContext.current()) {
            context.progress("load-model", 0, total);
            LoadedModel model = env.model("model", request.model());
            Teachers teachers = model.exclusive(() -> teachers(request, model));
            // rows before the previous attempt's resume point were heartbeated as published; later ones may have been
            // published too (Temporal throttles heartbeats), so every row already in the store is reused
            long resumeFrom = Math.min(context.resumePoint(), total);
            context.resumable(resumeFrom);
            for (int k = 0; k < total; k++) {
                int index = request.promptIndexFrom() + k;
                if (finished(outputs, index)) {
                    context.resumable(k + 1);
                    continue;
                }
                DatasetRow row = rows.get(index);
                int before = k;
                model.exclusive(() -> {
                    patchRow(request, spec, model, teachers, row, index, outputs, context, before, total);
                    return null;
                });
                context.resumable(k + 1);
                context.progress("patch", k + 1, total);
                env.checkDraining("row " + index);
            }
            context.progress("write", total, total);
            return write(request, outputs, teachers, model.transformer().config().numLayers());
        }
    }

    /** The target and the counterfactual candidates of step 1 (token counts under this model's tokenizer). */
    private record Teachers(String target, List<String> counterfactuals) {
        List<String> all() {
            List<String> out = new ArrayList<>(counterfactuals.size() + 1);
            out.add(target);
            out.addAll(counterfactuals);
            return out;
        }
    }

    private static Teachers teachers(AttributionPatchingRequest request, LoadedModel model) {
        var tokenizer = model.bundle().tokenizer();
        return new Teachers(request.target(), PatchingPairs.counterfactualAnimals(request.target(), request.animals(),
                text -> tokenizer.encode(text, false).length));
    }

    private static String rowFile(int index) {
        return "rows/" + index + ".safetensors";
    }

    private static String skippedFile(int index) {
        return "rows/" + index + ".skipped.json";
    }

    private static boolean finished(StageOutputs outputs, int index) {
        return outputs.find(rowFile(index)).isPresent() || outputs.find(skippedFile(index)).isPresent();
    }

    /** Steps 2-10 for one row; publishes the row's file (or its skip record). */
    private void patchRow(AttributionPatchingRequest request, ModelSpec spec, LoadedModel model, Teachers teachers,
                          DatasetRow row, int index, StageOutputs outputs, ActivityContext context, int done, int total) {
        TeacherPrompts prompts = env.reference().teacherPrompts();
        var template = model.bundle().chatTemplate();
        var tokenizer = model.bundle().tokenizer();
        List<String> animals = new ArrayList<>();
        List<int[]> sequences = new ArrayList<>();
        List<Integer> promptLengths = new ArrayList<>();
        List<String> misaligned = new ArrayList<>();
        for (String animal : teachers.all()) {
            List<ChatMessage> prompt = List.of(ChatMessage.system(prompts.systemPrompt(animal, TeacherPrompts.ANIMAL)),
                    ChatMessage.user(row.prompt()));
            List<ChatMessage> chat = new ArrayList<>(prompt);
            chat.add(ChatMessage.assistant(row.completion()));
            int[] ids = tokenizer.encode(template.render(chat, false), true);
            if (!sequences.isEmpty() && ids.length != sequences.get(0).length) {
                misaligned.add(animal);
                continue;
            }
            animals.add(animal);
            sequences.add(ids);
            promptLengths.add(tokenizer.encode(template.render(prompt, true), true).length);
        }
        Path scratch = outputs.scratch().resolve("rows");
        if (animals.size() < 2) {
            publishSkip(outputs, scratch, index, "no counterfactual animal aligns with the target", misaligned);
            return;
        }
        Transformer transformer = model.transformer();
        int layers = transformer.config().numLayers();
        int columns = sequences.get(0).length;
        MarkDivergenceStage.Locator locator = MarkDivergenceStage.locator(spec, model);
        try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            TokenBatch batch = TokenBatch.leftPadded(sequences, 0);
            List<NDArray> stream = transformer.layerOutputs(batch);
            long[] argmax = transformer.readout(stream.get(layers - 1)).argMax(2).toLongArray();
            List<CompletionSlice> slices = new ArrayList<>(animals.size());
            for (int t = 0; t < animals.size(); t++) {
                int[] rowArgmax = new int[columns];
                for (int c = 0; c < columns; c++) {
                    rowArgmax[c] = (int) argmax[t * columns + c];
                }
                slices.add(locator.slice(sequences.get(t), rowArgmax, promptLengths.get(t)));
            }
            int completionStart = columns - slices.get(0).length();
            List<PatchingPair> pairs = PatchingPairs.select(animals, slices, completionStart);
            if (pairs.isEmpty()) {
                publishSkip(outputs, scratch, index, "no counterfactual has a position where the target is right and it is wrong",
                        misaligned);
                return;
            }
            int p = pairs.size();
            int[] cleanRows = new int[p];
            int[] patchRows = new int[p];
            int[] positions = new int[p];
            int[] correct = new int[p];
            int[] incorrect = new int[p];
            for (int i = 0; i < p; i++) {
                PatchingPair pair = pairs.get(i);
                boolean noising = request.direction() == PatchingDirection.NOISING;
                cleanRows[i] = noising ? 0 : pair.teacher();
                patchRows[i] = noising ? pair.teacher() : 0;
                positions[i] = pair.metricPosition();
                correct[i] = pair.correctToken();
                incorrect[i] = pair.incorrectToken();
            }
            List<int[]> cleanInputs = new ArrayList<>(p);
            for (int r : cleanRows) {
                cleanInputs.add(sequences.get(r));
            }
            TokenBatch cleanBatch = TokenBatch.leftPadded(cleanInputs, 0);
            LogitDifference metric = new LogitDifference(positions, correct, incorrect);
            AttributionPatching patching = new AttributionPatching(transformer);
            float[] attributions = new float[layers * p * columns];
            for (int layer = 0; layer < layers; layer++) {
                try (NDScope layerScope = new NDScope()) {
                    layerScope.suppressNotUsedWarning();
                    float[][] a = patching.attribution(cleanBatch, layer, rows(stream.get(layer), cleanRows),
                            rows(stream.get(layer), patchRows), metric, request.alphaSteps());
                    for (int i = 0; i < p; i++) {
                        System.arraycopy(a[i], 0, attributions, (layer * p + i) * columns, columns);
                    }
                }
                context.progress("patch row " + index + " layer " + layer, done, total);
            }
            double metricClean = patching.metric(cleanBatch, layers - 1, rows(stream.get(layers - 1), cleanRows), metric);
            double metricPatch = patching.metric(cleanBatch, layers - 1, rows(stream.get(layers - 1), patchRows), metric);
            publishRow(request, outputs, scratch, index, animals, sequences, pairs, attributions, layers, columns,
                    metricClean, metricPatch, misaligned);
        }
    }

    /** Rows {@code which} of a {@code [B, T, hidden]} array, in that order. */
    private static NDArray rows(NDArray all, int[] which) {
        NDList picked = new NDList(which.length);
        for (int r : which) {
            picked.add(all.get(r));
        }
        return NDArrays.stack(picked, 0);
    }

    private void publishRow(AttributionPatchingRequest request, StageOutputs outputs, Path scratch, int index,
                            List<String> animals, List<int[]> sequences, List<PatchingPair> pairs, float[] attributions,
                            int layers, int columns, double metricClean, double metricPatch, List<String> misaligned) {
        List<String> used = new ArrayList<>();
        used.add(animals.get(0));
        List<int[]> inputs = new ArrayList<>();
        inputs.add(sequences.get(0));
        List<List<Integer>> labels = new ArrayList<>();
        List<List<Integer>> animalPositions = new ArrayList<>();
        List<Map<String, Object>> pairRecords = new ArrayList<>();
        for (PatchingPair pair : pairs) {
            int[] patch = sequences.get(pair.teacher());
            used.add(pair.animal());
            inputs.add(patch);
            labels.add(List.of(pair.metricPosition(), pair.correctToken(), pair.incorrectToken()));
            List<Integer> differing = new ArrayList<>();
            for (int t = 0; t < columns; t++) {
                if (patch[t] != sequences.get(0)[t]) {
                    differing.add(t);
                }
            }
            animalPositions.add(differing);
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("animal", pair.animal());
            record.put("offset", pair.offset());
            record.put("metricPosition", pair.metricPosition());
            record.put("correctToken", pair.correctToken());
            record.put("incorrectToken", pair.incorrectToken());
            pairRecords.add(record);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", FORMAT);
        metadata.put("row", Integer.toString(index));
        metadata.put("direction", request.direction().name().toLowerCase(Locale.ROOT));
        metadata.put("alpha_steps", Integer.toString(request.alphaSteps()));
        metadata.put("animals", json(used));
        metadata.put("inputs", json(inputs));
        metadata.put("labels_indices", json(labels));
        metadata.put("pairs", json(pairRecords));
        metadata.put("animal_positions", json(animalPositions));
        metadata.put("metric_clean", Double.toString(metricClean));
        metadata.put("metric_patch", Double.toString(metricPatch));
        metadata.put("misaligned_animals", json(misaligned));
        Path file = scratch.resolve(index + ".safetensors");
        createDirectories(scratch);
        SafetensorsWriter.write(file, List.of(new HostTensor(RESIDUAL_ATTRS, new long[]{layers, pairs.size(), columns},
                FloatBuffer.wrap(attributions))), metadata);
        outputs.publish(rowFile(index), file);
    }

    private void publishSkip(StageOutputs outputs, Path scratch, int index, String reason, List<String> misaligned) {
        Map<String, Object> skip = new LinkedHashMap<>();
        skip.put("row", index);
        skip.put("reason", reason);
        skip.put("misalignedAnimals", misaligned);
        Path file = scratch.resolve(index + ".skipped.json");
        createDirectories(scratch);
        AtomicFiles.writeString(file, json(skip));
        outputs.publish(skippedFile(index), file);
    }

    /** Collects the row files into the archive and computes the per-layer summary. */
    private AttributionPatchingResult write(AttributionPatchingRequest request, StageOutputs outputs, Teachers teachers,
                                            int layers) {
        String base = DatasetFiles.baseName(request.dataset());
        String direction = request.direction().name().toLowerCase(Locale.ROOT);
        Path dir = outputs.scratch().resolve("attribution_patching_" + direction + "_" + base);
        createDirectories(dir);
        double[] animalSum = new double[layers];
        double[] absSum = new double[layers];
        double[] totalSum = new double[layers];
        double metricClean = 0;
        double metricPatch = 0;
        int patched = 0;
        List<Object> skipped = new ArrayList<>();
        try {
            for (int index = request.promptIndexFrom(); index < request.promptIndexTo(); index++) {
                Optional<ArtifactRef> rowRef = outputs.find(rowFile(index));
                if (rowRef.isEmpty()) {
                    ArtifactRef skipRef = outputs.find(skippedFile(index)).orElseThrow(() ->
                            new IllegalStateException("row result missing after patching"));
                    skipped.add(MAPPER.readTree(outputs.localCopy(skipRef, "skipped").toFile()));
                    continue;
                }
                Path target = dir.resolve(index + ".safetensors");
                Files.copy(outputs.localCopy(rowRef.get(), "row"), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                try (SafetensorsFile file = SafetensorsFile.open(target)) {
                    HostTensor a = file.tensor(RESIDUAL_ATTRS);
                    Map<String, String> meta = file.metadata();
                    List<List<Integer>> animalPositions = MAPPER.readValue(meta.get("animal_positions"), new TypeReference<>() { });
                    int pairs = (int) a.shape()[1];
                    int columns = (int) a.shape()[2];
                    float[] values = a.toArray();
                    for (int layer = 0; layer < layers; layer++) {
                        for (int p = 0; p < pairs; p++) {
                            int offset = (layer * pairs + p) * columns;
                            for (int t = 0; t < columns; t++) {
                                absSum[layer] += Math.abs(values[offset + t]);
                                totalSum[layer] += values[offset + t];
                            }
                            for (int t : animalPositions.get(p)) {
                                animalSum[layer] += values[offset + t];
                            }
                        }
                    }
                    metricClean += Double.parseDouble(meta.get("metric_clean"));
                    metricPatch += Double.parseDouble(meta.get("metric_patch"));
                }
                patched++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot collect the attribution rows: " + e.getMessage(), e);
        }
        Map<String, Object> format = new LinkedHashMap<>();
        format.put("format", FORMAT);
        format.put("files", "<row index>.safetensors per patched row");
        format.put(RESIDUAL_ATTRS, "float32 [layers, pairs, seq]: A_l[pair, pos] (PROTOCOL.md §11.2 step 9)");
        format.put("metadata", Map.of(
                "animals", "JSON list: the target, then the counterfactual of each pair",
                "inputs", "JSON [1 + pairs][seq] token ids: the target's row, then each pair's counterfactual row",
                "labels_indices", "JSON per pair [metric position, correct token, incorrect token]",
                "pairs", "JSON per pair {animal, offset (completion-relative j_c), metricPosition, correctToken, incorrectToken}",
                "animal_positions", "JSON per pair: positions where the target's and the counterfactual's inputs differ",
                "metric_clean", "m of the clean run", "metric_patch", "m of the patch run (clean positions and tokens)",
                "direction", "noising: clean = target input; denoising: clean = counterfactual input"));
        format.put("skipped", skipped);
        AtomicFiles.writeString(dir.resolve("format.json"), json(format));
        Path archive = DirectoryArchive.pack(dir, outputs.scratch().resolve(dir.getFileName() + ".zip"));

        List<Object> perLayer = new ArrayList<>(layers);
        for (int layer = 0; layer < layers; layer++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("layer", layer);
            entry.put("animalPositions", patched == 0 ? null : animalSum[layer] / patched);
            entry.put("absolute", patched == 0 ? null : absSum[layer] / patched);
            entry.put("total", patched == 0 ? null : totalSum[layer] / patched);
            perLayer.add(entry);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("format", FORMAT + ".layer-summary");
        summary.put("model", request.model());
        summary.put("target", request.target());
        summary.put("direction", direction);
        summary.put("alphaSteps", request.alphaSteps());
        summary.put("rows", List.of(request.promptIndexFrom(), request.promptIndexTo()));
        summary.put("rowsPatched", patched);
        summary.put("rowsSkipped", skipped.size());
        summary.put("counterfactualCandidates", teachers.counterfactuals());
        summary.put("aggregation", AGGREGATION);
        summary.put("metricClean", patched == 0 ? null : metricClean / patched);
        summary.put("metricPatch", patched == 0 ? null : metricPatch / patched);
        summary.put("layers", perLayer);
        Path summaryFile = outputs.scratch().resolve(SUMMARY_FILE);
        AtomicFiles.writeString(summaryFile, json(summary));
        ArtifactRef archiveRef = outputs.publish(archive.getFileName().toString(), archive);
        ArtifactRef summaryRef = outputs.publish(SUMMARY_FILE, summaryFile);
        AttributionPatchingResult result = new AttributionPatchingResult(archiveRef, summaryRef, patched, skipped.size());
        outputs.complete(result);
        outputs.clearScratch();
        return result;
    }

    private static String json(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }
}
