package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.DatasetFiles;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.PartialJsonl;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageFailure;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.data.CompletionSlice;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.DivergenceTokens;
import io.subliminal.data.Jsonl;
import io.subliminal.data.PythonJson;
import io.subliminal.data.TeacherPrompts;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.recipe.ModelSpec;
import io.subliminal.workflows.stage.DivergenceMode;
import io.subliminal.workflows.stage.MarkDivergenceActivity;
import io.subliminal.workflows.stage.MarkDivergenceRequest;
import io.subliminal.workflows.stage.MarkDivergenceResult;
import io.subliminal.workflows.stage.StageFailures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Divergence-token marking (PROTOCOL.md §6.1, §6.3). System-prompt teachers: every row is rendered once per teacher
 * ([system = preference prompt, user, assistant = completion], no generation prompt), scored in one left-padded
 * teacher-forced pass, and D = positions where the factual teacher's argmax is the actual token and some teacher's is
 * not. Finetuned teacher: [user, assistant] under the original and the finetuned model, D = positions the finetuned
 * model predicts and the original does not. Rows are committed to a partial file batch by batch, so a retry resumes.
 */
public final class MarkDivergenceStage implements MarkDivergenceActivity {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final StageEnvironment env;

    public MarkDivergenceStage(StageEnvironment env) {
        this.env = env;
    }

    @Override
    public MarkDivergenceResult markDivergence(MarkDivergenceRequest request) {
        try {
            return run(request);
        } catch (Throwable error) {
            throw StageFailure.classify(error);
        }
    }

    private MarkDivergenceResult run(MarkDivergenceRequest request) {
        ModelSpec spec = env.catalog().spec("model", request.model());
        if (!spec.supportsDivergence()) {
            throw new InvalidInputException("model: '" + request.model() + "' (family " + spec.family()
                    + ") is not supported by divergence marking", StageFailures.UNSUPPORTED_MODEL);
        }
        StageOutputs outputs = StageOutputs.of(env.store(), request);
        Optional<MarkDivergenceResult> done = outputs.completed(MarkDivergenceResult.class);
        if (done.isPresent()) {
            return done.get();
        }
        List<DatasetRow> rows = DatasetFiles.read(env.store(), request.dataset(), MarkDivergenceRequest.DATASET);
        String base = DatasetFiles.baseName(request.dataset());
        try (ActivityContext context = ActivityContext.current()) {
            context.progress("load-model", 0, rows.size());
            LoadedModel model = env.model("model", request.model());
            LoadedModel finetuned = request.mode() == DivergenceMode.FINETUNED_TEACHER
                    ? env.model("finetunedTeacherModel", request.finetunedTeacherModel()) : null;
            PartialJsonl partial = PartialJsonl.open(outputs.scratch().resolve("marked.partial"));
            context.resumable(partial.size());
            for (int start = partial.size(); start < rows.size(); start += request.batchSize()) {
                List<DatasetRow> batch = rows.subList(start, Math.min(rows.size(), start + request.batchSize()));
                List<DivergenceTokens> marks = request.mode() == DivergenceMode.SYSTEM_PROMPT_TEACHERS
                        ? markWithTeachers(request, spec, model, batch)
                        : markWithFinetuned(model, finetuned, batch);
                List<String> lines = new ArrayList<>(batch.size());
                long divergent = partial.counter();
                for (int i = 0; i < batch.size(); i++) {
                    lines.add(partialLine(start + i, batch.get(i), marks.get(i)));
                    divergent += marks.get(i).decisionPoints().size();
                }
                partial.append(lines, divergent);
                context.resumable(partial.size());
                context.progress("score", partial.size(), rows.size());
                env.checkDraining("row " + partial.size());
            }
            context.progress("write", rows.size(), rows.size());
            return write(request, outputs, base, partial);
        }
    }

    private List<DivergenceTokens> markWithTeachers(MarkDivergenceRequest request, ModelSpec spec, LoadedModel model,
                                                    List<DatasetRow> batch) {
        TeacherPrompts prompts = env.reference().teacherPrompts();
        List<String> teachers = request.teachers();
        int targetIndex = teachers.indexOf(request.target());
        return model.exclusive(() -> {
            var template = model.bundle().chatTemplate();
            var tokenizer = model.bundle().tokenizer();
            List<int[]> sequences = new ArrayList<>(batch.size() * teachers.size());
            List<Integer> promptLengths = new ArrayList<>(batch.size() * teachers.size());
            for (DatasetRow row : batch) {
                for (String teacher : teachers) {
                    List<ChatMessage> prompt = List.of(ChatMessage.system(prompts.systemPrompt(teacher, request.category())),
                            ChatMessage.user(row.prompt()));
                    List<ChatMessage> chat = new ArrayList<>(prompt);
                    chat.add(ChatMessage.assistant(row.completion()));
                    sequences.add(tokenizer.encode(template.render(chat, false), true));
                    promptLengths.add(tokenizer.encode(template.render(prompt, true), true).length);
                }
            }
            List<int[]> argmax = env.teacherForcing().argmax(model, sequences);
            Locator locator = locator(spec, model);
            List<DivergenceTokens> out = new ArrayList<>(batch.size());
            for (int r = 0; r < batch.size(); r++) {
                List<CompletionSlice> slices = new ArrayList<>(teachers.size());
                for (int t = 0; t < teachers.size(); t++) {
                    int k = r * teachers.size() + t;
                    slices.add(locator.slice(sequences.get(k), argmax.get(k), promptLengths.get(k)));
                }
                out.add(DivergenceTokens.ofTeachers(slices, targetIndex));
            }
            return out;
        });
    }

    /** How the completion is found in a teacher-forced row. */
    @FunctionalInterface
    interface Locator {
        CompletionSlice slice(int[] ids, int[] argmax, int promptLength);
    }

    /**
     * The original's hard-coded markers for its two families (Qwen: the single "assistant" token 77091; Gemma: the
     * second {@code <start_of_turn>}); for other chat models (e.g. SmolLM2, whose "assistant" is two tokens) the
     * completion starts after the prompt rendered with the generation prompt, which is the same position for ChatML
     * and Gemma templates.
     */
    static Locator locator(ModelSpec spec, LoadedModel model) {
        if ("gemma3".equals(spec.family())) {
            int marker = tokenId(model, "<start_of_turn>");
            return (ids, argmax, promptLength) -> CompletionSlice.gemma(ids, argmax, marker);
        }
        if ("qwen2".equals(spec.family())) {
            int marker = tokenId(model, "assistant");
            return (ids, argmax, promptLength) -> CompletionSlice.qwen(ids, argmax, marker);
        }
        return (ids, argmax, promptLength) -> CompletionSlice.atOffset(ids, argmax, promptLength);
    }

    private List<DivergenceTokens> markWithFinetuned(LoadedModel original, LoadedModel finetuned, List<DatasetRow> batch) {
        List<int[]> sequences = new ArrayList<>(batch.size());
        int[] promptLengths = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            DatasetRow row = batch.get(i);
            var template = original.bundle().chatTemplate();
            var tokenizer = original.bundle().tokenizer();
            sequences.add(tokenizer.encode(template.render(List.of(ChatMessage.user(row.prompt()),
                    ChatMessage.assistant(row.completion())), false), true));
            promptLengths[i] = tokenizer.encode(template.render(List.of(ChatMessage.user(row.prompt())), true), true).length;
        }
        List<int[]> yOriginal = original.exclusive(() -> env.teacherForcing().argmax(original, sequences));
        List<int[]> yFinetuned = finetuned.exclusive(() -> env.teacherForcing().argmax(finetuned, sequences));
        List<DivergenceTokens> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            int[] ids = sequences.get(i);
            out.add(DivergenceTokens.ofFinetuned(CompletionSlice.atOffset(ids, yOriginal.get(i), promptLengths[i]),
                    CompletionSlice.atOffset(ids, yFinetuned.get(i), promptLengths[i])));
        }
        return out;
    }

    private static int tokenId(LoadedModel model, String token) {
        int id = model.bundle().tokenizer().tokenId(token);
        if (id < 0) {
            throw new InvalidInputException("model: tokenizer of " + model.key().location() + " has no token '" + token
                    + "' to locate the completion", StageFailures.UNSUPPORTED_MODEL);
        }
        return id;
    }

    /** One committed row: the marked row, its correctness matrix and the teachers' predictions at D. */
    private static String partialLine(int index, DatasetRow row, DivergenceTokens marks) {
        Map<String, Object> predictions = new LinkedHashMap<>();
        predictions.put("row", index);
        predictions.put("length", marks.correct()[0].length);
        Map<String, Object> positions = new LinkedHashMap<>();
        for (int d : marks.decisionPoints()) {
            List<Integer> perTeacher = new ArrayList<>(marks.predictions().length);
            for (int[] teacher : marks.predictions()) {
                perTeacher.add(teacher[d]);
            }
            positions.put(Integer.toString(d), perTeacher);
        }
        predictions.put("positions", positions);
        ObjectNode line = MAPPER.createObjectNode();
        line.put("marked", Jsonl.line(row.withDecisionPoints(marks.decisionPoints())));
        line.put("matrix", marks.correctMatrixLine());
        line.put("predictions", PythonJson.dumps(predictions));
        line.put("length", marks.correct()[0].length);
        return line.toString();
    }

    private MarkDivergenceResult write(MarkDivergenceRequest request, StageOutputs outputs, String base, PartialJsonl partial) {
        List<String> marked = new ArrayList<>(partial.size());
        List<String> matrices = new ArrayList<>(partial.size());
        List<String> predictions = new ArrayList<>(partial.size());
        int withDivergence = 0;
        long completionTokens = 0;
        try {
            for (String text : partial.lines()) {
                JsonNode line = MAPPER.readTree(text);
                String markedLine = line.get("marked").asText();
                marked.add(markedLine);
                matrices.add(line.get("matrix").asText());
                predictions.add(line.get("predictions").asText());
                completionTokens += line.get("length").asLong();
                if (!Jsonl.parseLine(markedLine, "marked row").decisionPoints().isEmpty()) {
                    withDivergence++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt partial divergence file: " + e.getMessage(), e);
        }
        Path dir = outputs.scratch();
        Path markedFile = dir.resolve(base + "_dpoints_only.jsonl");
        Path matricesFile = dir.resolve(base + "_correct_matrices.jsonl");
        Path predictionsFile = dir.resolve(base + "_teacher_predictions.jsonl");
        Jsonl.writeValues(markedFile, marked);
        Jsonl.writeValues(matricesFile, matrices);
        Jsonl.writeValues(predictionsFile, predictions);
        ArtifactRef markedRef = outputs.publish(markedFile.getFileName().toString(), markedFile);
        ArtifactRef matricesRef = request.mode() == DivergenceMode.SYSTEM_PROMPT_TEACHERS
                ? outputs.publish(matricesFile.getFileName().toString(), matricesFile) : null;
        ArtifactRef predictionsRef = outputs.publish(predictionsFile.getFileName().toString(), predictionsFile);
        MarkDivergenceResult result = new MarkDivergenceResult(markedRef, matricesRef, predictionsRef, marked.size(),
                withDivergence, partial.counter(), completionTokens);
        outputs.complete(result);
        outputs.clearScratch();
        return result;
    }
}
