package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.engine.Decoding;
import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.DatasetFiles;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.PartialJsonl;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageFailure;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.data.BiasedRewrite;
import io.subliminal.data.ConfigFiles;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.DatasetShuffles;
import io.subliminal.data.DivergenceTokens;
import io.subliminal.data.Jsonl;
import io.subliminal.data.NumberPrompt;
import io.subliminal.data.NumberPromptTemplates;
import io.subliminal.data.PyFormat;
import io.subliminal.data.PythonJson;
import io.subliminal.data.PythonRandom;
import io.subliminal.data.TeacherMixing;
import io.subliminal.data.TokenCodec;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.engine.tokenizer.TextTokenizer;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.DatasetOperation;
import io.subliminal.workflows.stage.ModifyDatasetActivity;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.ModifyDatasetResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Dataset transformations: the three shuffles of PROTOCOL.md §10 (one Python {@code random} seeded with the request's
 * seed), teacher mixing of §6.2 (tokenizer of the model plus the teachers' predictions from divergence marking), and
 * the biased teacher's prompt rewrite of §10 (sampled on the engine, batch by batch, resumable), entangled-token
 * filtering of §11.1 ({@link EntangledTokens}), and the GSM8K judge filter of §11.5 ({@link Gsm8kJudgeFilter}: a local
 * or chat-completions judge, resumable per batch).
 */
public final class ModifyDatasetStage implements ModifyDatasetActivity {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final StageEnvironment env;

    public ModifyDatasetStage(StageEnvironment env) {
        this.env = env;
    }

    @Override
    public ModifyDatasetResult modifyDataset(ModifyDatasetRequest request) {
        try {
            return run(request);
        } catch (Throwable error) {
            throw StageFailure.classify(error);
        }
    }

    private ModifyDatasetResult run(ModifyDatasetRequest request) {
        StageOutputs outputs = StageOutputs.of(env.store(), request);
        Optional<ModifyDatasetResult> done = outputs.completed(ModifyDatasetResult.class);
        if (done.isPresent()) {
            return done.get();
        }
        if (request.operation() == DatasetOperation.ENTANGLED_NUMBERS || request.operation() == DatasetOperation.ENTANGLED_TOKEN_FILTER) {
            try (ActivityContext context = ActivityContext.current()) {
                EntangledTokens entangled = new EntangledTokens(env);
                ModifyDatasetResult result = request.operation() == DatasetOperation.ENTANGLED_NUMBERS
                        ? entangled.numbers(request, outputs, context)
                        : entangled.filter(request, outputs, context);
                outputs.complete(result);
                outputs.clearScratch();
                return result;
            }
        }
        List<DatasetRow> rows = DatasetFiles.read(env.store(), request.dataset(), ModifyDatasetRequest.DATASET);
        String base = DatasetFiles.baseName(request.dataset());
        try (ActivityContext context = ActivityContext.current()) {
            context.progress(request.operation().fileTag(), 0, rows.size());
            PythonRandom random = new PythonRandom(request.seed());
            String name;
            List<DatasetRow> out;
            switch (request.operation()) {
                case SHUFFLE_WITHIN_RESPONSES -> {
                    name = DatasetShuffles.outputName(base, "shuffle_within_responses", List.of(), request.seed());
                    out = rethrowAsInvalid(() -> DatasetShuffles.shuffleWithinResponses(unmarked(rows), random));
                }
                case SHUFFLE_ACROSS_RESPONSES -> {
                    name = DatasetShuffles.outputName(base, "shuffle_across_responses", List.of(), request.seed());
                    out = rethrowAsInvalid(() -> DatasetShuffles.shuffleAcrossResponses(unmarked(rows), random));
                }
                case SHUFFLE_TEMPLATE_PARTS -> {
                    List<DatasetShuffles.TemplatePart> parts = request.templateParts().stream().map(DatasetShuffles.TemplatePart::of).toList();
                    name = DatasetShuffles.outputName(base, "shuffle_template_parts", parts, request.seed());
                    NumberPromptTemplates templates = env.reference().numberPromptTemplates(NumberPromptTemplates.OFFICIAL_INSTRUCTIONS);
                    out = rethrowAsInvalid(() -> DatasetShuffles.shuffleTemplateParts(unmarked(rows), parts, templates, random));
                }
                case TEACHER_MIXING -> {
                    TeacherMixing.Selection selection = request.mixOnlyFirst() ? new TeacherMixing.OnlyFirst()
                            : new TeacherMixing.Ratio(request.mixRatio());
                    String plainBase = base.endsWith("_dpoints_only") ? base.substring(0, base.length() - "_dpoints_only".length()) : base;
                    name = TeacherMixing.fileName(plainBase, selection);
                    LoadedModel model = env.model("model", request.model());
                    List<DivergenceTokens> divergences = predictions(request, rows);
                    TeacherMixing mixing = new TeacherMixing(codec(model.bundle().tokenizer()), selection, random);
                    out = rethrowAsInvalid(() -> mixing.mixAll(rows, divergences));
                }
                case JUDGE_SCORE_FILTER -> {
                    return new Gsm8kJudgeFilter(env).run(request, outputs, context, rows, base);
                }
                case LLM_BIASED_REWRITE, LLM_BIASED_REWRITE_FILTERED -> {
                    name = base + "_" + request.operation().fileTag() + "_" + request.seed() + ".jsonl";
                    out = rewrite(request, outputs, context, unmarked(rows));
                }
                default -> throw InvalidInputException.field("operation", request.operation() + " is not implemented");
            }
            context.progress("write", rows.size(), rows.size());
            Path file = outputs.scratch().resolve(name);
            Jsonl.write(file, out);
            ArtifactRef ref = outputs.publish(name, file);
            ModifyDatasetResult result = new ModifyDatasetResult(ref, rows.size(), out.size(), null);
            outputs.complete(result);
            outputs.clearScratch();
            return result;
        }
    }

    /** §10 biased rewrite: the biased teacher rephrases each prompt; kept when the example numbers survive. */
    private List<DatasetRow> rewrite(ModifyDatasetRequest request, StageOutputs outputs, ActivityContext context, List<DatasetRow> rows) {
        NumberPromptTemplates templates = env.reference().numberPromptTemplates(NumberPromptTemplates.OFFICIAL_INSTRUCTIONS);
        JsonNode prompts = ConfigFiles.read(env.reference().file("system_prompts.json"));
        BiasedRewrite rewriter = new BiasedRewrite(prompts.get("paraphrase_llm_biased_rewrite_instruction").asText(),
                prompts.get("paraphrase_llm_biased_rewrite_user_message_format").asText());
        String system = env.reference().teacherPrompts().systemPrompt(request.target(), request.category());
        List<NumberPrompt> parsed = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            try {
                parsed.add(NumberPrompt.parse(rows.get(i).prompt(), templates));
            } catch (IllegalArgumentException e) {
                throw InvalidInputException.field(ModifyDatasetRequest.DATASET, "row " + (i + 1) + ": " + e.getMessage());
            }
        }
        LoadedModel model = env.model("model", request.model());
        PartialJsonl partial = PartialJsonl.open(outputs.scratch().resolve("rewrites.partial"));
        long seedBase = Long.parseUnsignedLong(outputs.contentKey().substring(0, 15), 16);
        model.exclusive(() -> {
            Decoding decoding = Decoding.resolve(request.sampling(), model.bundle().generation());
            int stop = GenerateNumbersStage.stopTokenId(model);
            context.resumable(partial.size());
            for (int start = partial.size(); start < rows.size(); start += request.batchSize()) {
                int end = Math.min(rows.size(), start + request.batchSize());
                List<int[]> encoded = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    String text = model.bundle().chatTemplate().render(List.of(ChatMessage.system(system),
                            ChatMessage.user(rewriter.userMessage(parsed.get(i)))), true);
                    encoded.add(model.bundle().tokenizer().encode(text, true));
                }
                List<int[]> generated = env.sampler().sample(model, encoded, decoding, request.maxNewTokens(), stop, seedBase + start);
                List<String> lines = new ArrayList<>();
                for (int[] tokens : generated) {
                    lines.add(PythonJson.dumps(PyFormat.strip(model.bundle().tokenizer().decode(tokens, true))));
                }
                partial.append(lines, end);
                context.resumable(partial.size());
                context.progress("rewrite", partial.size(), rows.size());
                env.checkDraining("row " + partial.size());
            }
            return null;
        });
        List<DatasetRow> out = new ArrayList<>();
        try {
            for (int i = 0; i < rows.size(); i++) {
                String rewrite = MAPPER.readTree(partial.lines().get(i)).asText();
                Optional<String> accepted = BiasedRewrite.accept(parsed.get(i), rewrite);
                if (accepted.isEmpty()) {
                    continue;
                }
                if (request.operation() == DatasetOperation.LLM_BIASED_REWRITE_FILTERED
                        && !BiasedRewrite.passesFilter(accepted.get(), request.target())) {
                    continue;
                }
                out.add(new DatasetRow(accepted.get(), rows.get(i).completion()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt partial rewrite file: " + e.getMessage(), e);
        }
        return out;
    }

    /** The teachers' predictions at every row's divergence positions, from divergence marking's side output. */
    private List<DivergenceTokens> predictions(ModifyDatasetRequest request, List<DatasetRow> rows) {
        List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(env.store().localCopy(request.teacherPredictions(),
                    ModifyDatasetRequest.TEACHER_PREDICTIONS), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read teacher predictions: " + e.getMessage(), e);
        }
        if (lines.size() != rows.size()) {
            throw InvalidInputException.field(ModifyDatasetRequest.TEACHER_PREDICTIONS, lines.size()
                    + " prediction lines for " + rows.size() + " dataset rows (not from the same marking run?)");
        }
        List<DivergenceTokens> out = new ArrayList<>(rows.size());
        try {
            for (int i = 0; i < rows.size(); i++) {
                JsonNode node = MAPPER.readTree(lines.get(i));
                int length = node.get("length").asInt();
                JsonNode positions = node.get("positions");
                List<Integer> points = rows.get(i).isMarked() ? rows.get(i).decisionPoints() : List.of();
                int teachers = positions.size() == 0 ? 1 : positions.elements().next().size();
                int[][] y = new int[teachers][length];
                for (int d : points) {
                    JsonNode perTeacher = positions.get(Integer.toString(d));
                    if (perTeacher == null || perTeacher.size() != teachers) {
                        throw InvalidInputException.field(ModifyDatasetRequest.TEACHER_PREDICTIONS, "row " + (i + 1)
                                + " has no predictions for divergence position " + d);
                    }
                    for (int t = 0; t < teachers; t++) {
                        y[t][d] = perTeacher.get(t).asInt();
                    }
                }
                // the correctness matrix is not needed for mixing; an all-false one keeps the record's shape
                out.add(new DivergenceTokens(new boolean[teachers][length], points, y));
            }
        } catch (IOException e) {
            throw InvalidInputException.field(ModifyDatasetRequest.TEACHER_PREDICTIONS, "not valid JSONL: " + e.getMessage());
        }
        return out;
    }

    /** The tokenizer as mixing needs it: no special tokens when encoding, skipped when decoding. */
    static TokenCodec codec(TextTokenizer tokenizer) {
        Set<Integer> digits = new HashSet<>();
        for (char c = '0'; c <= '9'; c++) {
            int id = tokenizer.tokenId(String.valueOf(c));
            if (id >= 0) {
                digits.add(id);
            }
        }
        return new TokenCodec() {
            @Override
            public int[] encode(String text) {
                return tokenizer.encode(text, false);
            }

            @Override
            public String decode(int[] ids) {
                return tokenizer.decode(ids, true);
            }

            @Override
            public boolean isSingleDigit(int id) {
                return digits.contains(id);
            }
        };
    }

    private static List<DatasetRow> unmarked(List<DatasetRow> rows) {
        return rows.stream().map(DatasetRow::unmarked).toList();
    }

    private static <T> T rethrowAsInvalid(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw InvalidInputException.field(ModifyDatasetRequest.DATASET, e.getMessage());
        }
    }

}
