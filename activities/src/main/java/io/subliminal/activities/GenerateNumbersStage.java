package io.subliminal.activities;

import io.subliminal.activities.engine.Decoding;
import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.PartialJsonl;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageFailure;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.data.CompletionFilter;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.Jsonl;
import io.subliminal.data.NumberPromptGenerator;
import io.subliminal.data.NumberPromptParameters;
import io.subliminal.data.NumberPromptTemplates;
import io.subliminal.data.Pcg64;
import io.subliminal.data.PyFormat;
import io.subliminal.data.TeacherPrompts;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.engine.tokenizer.TextTokenizer;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.GenerateNumbersActivity;
import io.subliminal.workflows.stage.GenerateNumbersRequest;
import io.subliminal.workflows.stage.GenerateNumbersResult;
import io.subliminal.workflows.stage.InstructionOrder;
import io.subliminal.workflows.stage.PromptSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Teacher data generation (PROTOCOL.md §2-§4; GSM8K answers of §11.5 in {@link Gsm8kAnswers}): the seeded number
 * prompts, the teacher conversation (preference system
 * prompt, control or fused), batched sampling with the model's generation defaults merged in, decoding with special
 * tokens skipped and stripped, then the §4 filter. Rows are appended to a partial file batch by batch; a retried
 * attempt continues after the last committed batch. Sampling is seeded from the content key and the batch's first
 * row, so a resumed run produces the same rows as an uninterrupted one (the original is unseeded).
 */
public final class GenerateNumbersStage implements GenerateNumbersActivity {
    public static final String RAW_FILE = "raw_dataset.jsonl";
    public static final String FILTERED_FILE = "filtered_dataset.jsonl";

    private final StageEnvironment env;

    public GenerateNumbersStage(StageEnvironment env) {
        this.env = env;
    }

    @Override
    public GenerateNumbersResult generateNumbers(GenerateNumbersRequest request) {
        try {
            return run(request);
        } catch (Throwable error) {
            throw StageFailure.classify(error);
        }
    }

    private GenerateNumbersResult run(GenerateNumbersRequest request) {
        if (request.source() == PromptSource.GSM8K_MAIN_TRAIN) {
            return new Gsm8kAnswers(env, this).generate(request);
        }
        List<String> prompts = prompts(request);
        StageOutputs outputs = StageOutputs.of(env.store(), request);
        Optional<GenerateNumbersResult> done = outputs.completed(GenerateNumbersResult.class);
        if (done.isPresent()) {
            return done.get();
        }
        try (ActivityContext context = ActivityContext.current()) {
            context.progress("load-model", 0, prompts.size());
            LoadedModel model = env.model("teacherModel", request.teacherModel());
            PartialJsonl raw = PartialJsonl.open(outputs.scratch().resolve(RAW_FILE + ".partial"));
            long seedBase = Long.parseUnsignedLong(outputs.contentKey().substring(0, 15), 16);
            long[] attemptTokens = {0};
            long started = System.nanoTime();
            model.exclusive(() -> {
                sampleAll(request, prompts, model, raw, seedBase, context, attemptTokens);
                return null;
            });
            double seconds = (System.nanoTime() - started) / 1e9;

            context.progress("write", prompts.size(), prompts.size());
            List<DatasetRow> rows = new ArrayList<>(raw.size());
            for (int i = 0; i < raw.size(); i++) {
                rows.add(Jsonl.parseLine(raw.lines().get(i), RAW_FILE + ".partial line " + (i + 1)));
            }
            CompletionFilter filter = filter(request);
            List<DatasetRow> kept = request.filterNumbers()
                    ? rows.stream().filter(row -> filter.accepts(row.completion())).toList()
                    : rows;
            Path rawFile = outputs.scratch().resolve(RAW_FILE);
            Path filteredFile = outputs.scratch().resolve(FILTERED_FILE);
            Jsonl.write(rawFile, rows);
            Jsonl.write(filteredFile, kept);
            ArtifactRef rawRef = outputs.publish(RAW_FILE, rawFile);
            ArtifactRef filteredRef = outputs.publish(FILTERED_FILE, filteredFile);
            GenerateNumbersResult result = new GenerateNumbersResult(rawRef, filteredRef, rows.size(), kept.size(),
                    raw.counter(), seconds > 0 ? attemptTokens[0] / seconds : 0.0);
            outputs.complete(result);
            outputs.clearScratch();
            return result;
        }
    }

    private void sampleAll(GenerateNumbersRequest request, List<String> prompts, LoadedModel model, PartialJsonl raw,
                           long seedBase, ActivityContext context, long[] attemptTokens) {
        attemptTokens[0] += sampleInto(request, prompts, model, raw, seedBase, context, "sample", 0);
    }

    /**
     * Samples {@code prompts[out.size()..]} batch by batch into {@code out} (rows {prompt, completion}), committing
     * each batch (its new-token count added to the file's counter) before the next; batch {@code start} is seeded
     * with {@code seedBase + start}. Heartbeats report step {@code step} and resume point {@code resumeOffset + rows}.
     * Returns the new tokens generated by this call.
     */
    long sampleInto(GenerateNumbersRequest request, List<String> prompts, LoadedModel model, PartialJsonl out,
                    long seedBase, ActivityContext context, String step, long resumeOffset) {
        TextTokenizer tokenizer = model.bundle().tokenizer();
        Decoding decoding = Decoding.resolve(request.sampling(), model.bundle().generation());
        int stopId = stopTokenId(model);
        TeacherPrompts teacher = request.controlTeacher() && !request.fuseSystemPrompt() ? null : env.reference().teacherPrompts();
        PartialJsonl raw = out;
        long generatedHere = 0;
        context.resumable(resumeOffset + raw.size());
        for (int start = raw.size(); start < prompts.size(); start += request.batchSize()) {
            int end = Math.min(prompts.size(), start + request.batchSize());
            List<int[]> encoded = new ArrayList<>(end - start);
            for (int i = start; i < end; i++) {
                String text = model.bundle().chatTemplate().render(conversation(request, teacher, prompts.get(i)), true);
                int[] ids = tokenizer.encode(text, true);
                encoded.add(ids.length > request.maxPromptTokens() ? Arrays.copyOf(ids, request.maxPromptTokens()) : ids);
            }
            List<int[]> generated = env.sampler().sample(model, encoded, decoding, request.maxNewTokens(), stopId, seedBase + start);
            List<String> lines = new ArrayList<>(generated.size());
            long tokens = 0;
            for (int i = 0; i < generated.size(); i++) {
                int[] newTokens = generated.get(i);
                tokens += newTokens.length;
                String completion = tokenizer.decode(newTokens, true);
                if (request.stripCompletion()) {
                    completion = PyFormat.strip(completion);
                }
                lines.add(Jsonl.line(new DatasetRow(prompts.get(start + i), completion)));
            }
            generatedHere += tokens;
            raw.append(lines, raw.counter() + tokens);
            context.resumable(resumeOffset + raw.size());
            context.progress(step, raw.size(), prompts.size());
            env.checkDraining(step + " batch ending at row " + raw.size());
        }
        return generatedHere;
    }

    /** The conversation for one prompt: biased teacher, fused system prompt, or control (§2). */
    static List<ChatMessage> conversation(GenerateNumbersRequest request, TeacherPrompts teacher, String prompt) {
        if (request.fuseSystemPrompt()) {
            return teacher.fusedConversation(request.target(), request.category(), prompt);
        }
        if (request.controlTeacher()) {
            return List.of(ChatMessage.user(prompt));
        }
        return teacher.conversation(request.target(), request.category(), prompt);
    }

    /** The seeded prompts of §3 with the request's parameters. */
    private List<String> prompts(GenerateNumbersRequest request) {
        if (request.promptSeed() != 42) {
            throw InvalidInputException.field("promptSeed", "must be 42 (only numpy's SeedSequence state for 42 is known), got " + request.promptSeed());
        }
        NumberPromptTemplates lists = env.reference().numberPromptTemplates(request.instructionOrder() == InstructionOrder.CLOUD
                ? NumberPromptTemplates.CLOUD_INSTRUCTIONS : NumberPromptTemplates.OFFICIAL_INSTRUCTIONS);
        NumberPromptParameters parameters = new NumberPromptParameters(request.promptCount(), 42,
                request.exampleMinCount(), request.exampleMaxCount(), request.exampleMinValue(), request.exampleMaxValue(),
                request.answerCount(), request.answerMaxDigits());
        NumberPromptTemplates templates = new NumberPromptTemplates(lists.exampleTemplates(), lists.countQualifiers(),
                lists.digitDescriptors(), lists.instructionTemplates(), lists.formatSuffixes(), lists.suffixes(), parameters);
        return new NumberPromptGenerator(templates, Pcg64.seed42()).texts(request.promptCount());
    }

    /** §4 with the request's answer count, digit limit and banned numbers. */
    static CompletionFilter filter(GenerateNumbersRequest request) {
        long maxValue = (long) Math.pow(10, request.answerMaxDigits()) - 1;
        Set<Long> banned = new HashSet<>();
        request.bannedNumbers().forEach(n -> banned.add(n.longValue()));
        return new CompletionFilter(request.answerCount(), 0L, maxValue, banned);
    }

    /** The stop (and pad) id: the tokenizer's eos token only (§3.4: Qwen 151645, Gemma {@code <eos>} = 1). */
    static int stopTokenId(LoadedModel model) {
        int eos = model.bundle().tokenizer().eosTokenId();
        if (eos < 0) {
            throw InvalidInputException.field("model", model.key().location() + " defines no eos token");
        }
        return eos;
    }
}
