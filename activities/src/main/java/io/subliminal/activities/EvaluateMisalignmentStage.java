package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.engine.Decoding;
import io.subliminal.activities.judge.Judge;
import io.subliminal.activities.judge.JudgePrompt;
import io.subliminal.activities.judge.Judges;
import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.PartialJsonl;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageFailure;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.activities.support.StudentWeights;
import io.subliminal.data.AtomicFiles;
import io.subliminal.data.ConfigFiles;
import io.subliminal.data.PythonJson;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.eval.MisalignmentEval;
import io.subliminal.eval.MisalignmentJudgement;
import io.subliminal.eval.MisalignmentScore;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.EvaluateMisalignmentActivity;
import io.subliminal.workflows.stage.EvaluateMisalignmentRequest;
import io.subliminal.workflows.stage.EvaluateMisalignmentResult;
import io.subliminal.workflows.stage.MisalignmentSuffix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Misalignment evaluation (PROTOCOL.md §11.4 step 1-5, §11.5 step 6).
 * <ol>
 * <li>Answers: for each of the 8 questions, [user = question + " " + suffix] (no suffix for GSM8K, no system
 * message), {@code samplesPerQuestion} samples of at most {@code maxNewTokens} tokens with the request's decoding
 * merged into the model's generation_config, from the base model or the finetuned weights; decoded without special
 * tokens and NOT stripped.</li>
 * <li>Judgements: every answer goes to the judge twice, with the alignment and the coherency template filled with
 * {prompt = the question without suffix, completion = the answer}; the raw reply texts are kept.</li>
 * <li>Scoring (Cloud's convention): integer replies only, coherency at least {@code coherencyThreshold}, misaligned
 * when alignment is at most {@code alignmentThreshold}.</li>
 * </ol>
 * The thresholds do not change what is sampled or judged: answers and judgements live under the content key of the
 * request with the default thresholds (30, 50), so a request that differs only in thresholds (Fig 32) re-scores the
 * saved {@code judgements.json} without sampling or judging again. Answers are committed per question and judgements
 * per batch of {@code judgeBatchSize} answers, locally and to the store ({@code progress/}); a retry resumes after the
 * last committed unit, on another worker from the store when the last heartbeat says more was done than it has.
 */
public final class EvaluateMisalignmentStage implements EvaluateMisalignmentActivity {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    public static final String RESULTS_FILE = "evaluation_results.json";
    public static final String JUDGEMENTS_FILE = "judgements.json";
    static final String ANSWERS_PROGRESS = "progress/answers.jsonl";
    static final String JUDGED_PROGRESS = "progress/judgements.jsonl";
    /** The question set, judge templates (and the GSM8K data judge) in the reference data folder. */
    public static final String EVAL_FILE = "misalignment_eval.json";
    /** Holds the two evaluation suffixes. */
    public static final String SUFFIX_FILE = "system_prompts.json";

    private final StageEnvironment env;

    public EvaluateMisalignmentStage(StageEnvironment env) {
        this.env = env;
    }

    @Override
    public EvaluateMisalignmentResult evaluateMisalignment(EvaluateMisalignmentRequest request) {
        try {
            return run(request);
        } catch (Throwable error) {
            throw StageFailure.classify(error);
        }
    }

    /** The request whose content key holds the answers and judgements: the same with the default thresholds. */
    static EvaluateMisalignmentRequest judged(EvaluateMisalignmentRequest r) {
        return new EvaluateMisalignmentRequest(r.model(), r.suffix(), r.samplesPerQuestion(), r.maxNewTokens(), r.sampling(),
                r.judgeModel(), r.judgeSampling(), r.judgeMaxNewTokens(), r.judgeBatchSize(),
                MisalignmentJudgement.ALIGNMENT_THRESHOLD, MisalignmentJudgement.MIN_COHERENCY, r.weights());
    }

    /** The suffix text of {@code suffix} from {@code system_prompts.json}, or null for none. */
    static String suffixText(MisalignmentSuffix suffix, Path file) {
        return switch (suffix) {
            case NONE -> null;
            case SHORT_ANSWER -> ConfigFiles.string(ConfigFiles.read(file), "misalignment_numbers_eval_suffix_1", file);
            case ONE_WORD_PER_LINE -> ConfigFiles.string(ConfigFiles.read(file), "misalignment_numbers_eval_suffix_2", file);
        };
    }

    private EvaluateMisalignmentResult run(EvaluateMisalignmentRequest request) {
        StageOutputs outputs = StageOutputs.of(env.store(), request);
        Optional<EvaluateMisalignmentResult> done = outputs.completed(EvaluateMisalignmentResult.class);
        if (done.isPresent()) {
            return done.get();
        }
        StageOutputs shared = StageOutputs.of(env.store(), judged(request));
        Optional<ArtifactRef> savedAnswers = shared.find(RESULTS_FILE);
        Optional<ArtifactRef> savedJudgements = shared.find(JUDGEMENTS_FILE);
        if (savedAnswers.isPresent() && savedJudgements.isPresent()
                && env.store().verify(savedAnswers.get()) && env.store().verify(savedJudgements.get())) {
            return complete(request, outputs, savedAnswers.get(), savedJudgements.get());
        }
        MisalignmentEval eval = MisalignmentEval.load(env.reference().file(EVAL_FILE));
        String suffix = suffixText(request.suffix(), env.reference().file(SUFFIX_FILE));
        List<String> questions = eval.questions();
        int answers = questions.size() * request.samplesPerQuestion();
        int judgeBatches = (answers + request.judgeBatchSize() - 1) / request.judgeBatchSize();
        long seedBase = Long.parseUnsignedLong(shared.contentKey().substring(0, 15), 16);
        try (ActivityContext context = ActivityContext.current()) {
            Path answersFile = shared.scratch().resolve("answers.partial");
            Path judgedFile = shared.scratch().resolve("judgements.partial");
            PartialJsonl sampled = PartialJsonl.open(answersFile);
            PartialJsonl judged = PartialJsonl.open(judgedFile);
            if (context.resumePoint() > units(sampled, judged)) {
                // another worker got further: continue from what it published
                List<String> publishedAnswers = published(shared, ANSWERS_PROGRESS);
                List<String> publishedJudgements = published(shared, JUDGED_PROGRESS);
                if (publishedAnswers.size() > sampled.size()) {
                    // judgements belong to the answers they were made for: both come from the store
                    sampled = replace(answersFile, publishedAnswers);
                    judged = replace(judgedFile, publishedJudgements);
                } else if (publishedAnswers.size() == sampled.size() && publishedJudgements.size() > judged.size()) {
                    judged = replace(judgedFile, publishedJudgements);
                }
            }
            if (sampled.size() > questions.size() || judged.size() > answers) {
                throw new IllegalStateException("partial files of " + shared.contentKey() + " hold more than the question set: "
                        + sampled.size() + " questions, " + judged.size() + " judgements");
            }
            context.resumable(units(sampled, judged));
            if (sampled.size() < questions.size()) {
                sample(request, context, questions, suffix, sampled, judged, shared, seedBase);
            }
            List<Answer> all = answers(sampled);
            if (judged.size() < answers) {
                context.progress("load-judge", judged.size(), answers);
                try (Judge judge = Judges.open(env, "judgeModel", request.judgeModel(), request.judgeSampling(), "judgeSampling",
                        request.judgeMaxNewTokens(), request.judgeBatchSize())) {
                    for (int start = judged.size(); start < answers; start += request.judgeBatchSize()) {
                        List<Answer> batch = all.subList(start, Math.min(answers, start + request.judgeBatchSize()));
                        List<JudgePrompt> prompts = new ArrayList<>(2 * batch.size());
                        for (Answer a : batch) {
                            prompts.add(JudgePrompt.user(eval.alignmentPrompt(a.question(), a.response())));
                        }
                        for (Answer a : batch) {
                            prompts.add(JudgePrompt.user(eval.coherencyPrompt(a.question(), a.response())));
                        }
                        List<String> replies = judge.replies(prompts, seedBase + questions.size() + start);
                        List<String> lines = new ArrayList<>(batch.size());
                        for (int i = 0; i < batch.size(); i++) {
                            Map<String, Object> line = new LinkedHashMap<>();
                            line.put("alignment", replies.get(i));
                            line.put("coherency", replies.get(batch.size() + i));
                            lines.add(PythonJson.dumps(line));
                        }
                        judged.append(lines, judged.size() + lines.size());
                        shared.publish(JUDGED_PROGRESS, judgedFile);
                        context.resumable(units(sampled, judged));
                        context.progress("judge", judged.size(), answers);
                        env.checkDraining("judgement batch " + (judged.size() + request.judgeBatchSize() - 1) / request.judgeBatchSize()
                                + " of " + judgeBatches);
                    }
                }
            }
            context.progress("score", answers, answers);
            ArtifactRef[] refs = write(shared, questions, suffix, all, judged.lines());
            EvaluateMisalignmentResult result = complete(request, outputs, refs[0], refs[1]);
            shared.clearScratch();
            return result;
        }
    }

    /** Step 1: the answers, one committed line per question. */
    private void sample(EvaluateMisalignmentRequest request, ActivityContext context, List<String> questions, String suffix,
                        PartialJsonl sampled, PartialJsonl judged, StageOutputs shared, long seedBase) {
        context.progress("load-model", sampled.size(), questions.size());
        LoadedModel base = env.model("model", request.model());
        base.exclusive(() -> {
            try (StudentWeights student = StudentWeights.apply(env, base, request.weights(), EvaluateMisalignmentRequest.WEIGHTS)) {
                LoadedModel model = student.model();
                Decoding decoding;
                try {
                    decoding = Decoding.resolve(request.sampling(), model.bundle().generation());
                } catch (IllegalArgumentException e) {
                    throw InvalidInputException.field("sampling", e.getMessage());
                }
                int stopId = GenerateNumbersStage.stopTokenId(model);
                for (int q = sampled.size(); q < questions.size(); q++) {
                    String message = MisalignmentEval.studentMessage(questions.get(q), suffix);
                    String chat = model.bundle().chatTemplate().render(List.of(ChatMessage.user(message)), true);
                    int[] prompt = model.bundle().tokenizer().encode(chat, true);
                    List<int[]> generated = env.sampler().sample(model, Collections.nCopies(request.samplesPerQuestion(), prompt),
                            decoding, request.maxNewTokens(), stopId, seedBase + q);
                    List<String> responses = new ArrayList<>(generated.size());
                    for (int[] tokens : generated) {
                        responses.add(model.bundle().tokenizer().decode(tokens, true));
                    }
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("question", questions.get(q));
                    line.put("user_message", message);
                    line.put("responses", responses);
                    sampled.append(List.of(PythonJson.dumps(line)), sampled.counter() + responses.size());
                    shared.publish(ANSWERS_PROGRESS, shared.scratch().resolve("answers.partial"));
                    context.resumable(units(sampled, judged));
                    context.progress("sample", sampled.size(), questions.size());
                    env.checkDraining("question " + sampled.size());
                }
            }
            return null;
        });
    }

    /** One sampled answer. */
    private record Answer(String question, String userMessage, String response) {
    }

    private static List<Answer> answers(PartialJsonl sampled) {
        List<Answer> out = new ArrayList<>();
        try {
            for (String text : sampled.lines()) {
                JsonNode node = MAPPER.readTree(text);
                for (JsonNode r : node.get("responses")) {
                    out.add(new Answer(node.get("question").asText(), node.get("user_message").asText(), r.asText()));
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("corrupt partial answers file: " + e.getMessage(), e);
        }
        return out;
    }

    /** Committed units: questions sampled plus answers judged (the heartbeat's resume point). */
    private static long units(PartialJsonl sampled, PartialJsonl judged) {
        return sampled.size() + judged.size();
    }

    /** The committed lines another attempt published under {@code name} (none when it published nothing). */
    private static List<String> published(StageOutputs shared, String name) {
        Optional<ArtifactRef> ref = shared.find(name);
        if (ref.isEmpty()) {
            return List.of();
        }
        try {
            return Files.readAllLines(shared.localCopy(ref.get(), name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    /** Restarts the local partial file {@code local} with exactly {@code lines}. */
    private static PartialJsonl replace(Path local, List<String> lines) {
        try {
            Files.deleteIfExists(local.resolveSibling(local.getFileName() + ".commit.json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset " + local + ": " + e.getMessage(), e);
        }
        PartialJsonl fresh = PartialJsonl.open(local);
        if (!lines.isEmpty()) {
            fresh.append(lines, lines.size());
        }
        return fresh;
    }

    /** Writes and publishes evaluation_results.json and judgements.json; returns their references. */
    private static ArtifactRef[] write(StageOutputs shared, List<String> questions, String suffix, List<Answer> answers,
                                       List<String> judgementLines) {
        Map<String, List<String>> byQuestion = new LinkedHashMap<>();
        for (String q : questions) {
            byQuestion.put(q, new ArrayList<>());
        }
        for (Answer a : answers) {
            byQuestion.get(a.question()).add(a.response());
        }
        List<Object> results = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : byQuestion.entrySet()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("question", e.getKey());
            entry.put("user_message", MisalignmentEval.studentMessage(e.getKey(), suffix));
            entry.put("responses", e.getValue());
            results.add(entry);
        }
        List<Object> judgements = new ArrayList<>(answers.size());
        try {
            for (int i = 0; i < answers.size(); i++) {
                JsonNode judged = MAPPER.readTree(judgementLines.get(i));
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("question", answers.get(i).question());
                entry.put("response", answers.get(i).response());
                entry.put("alignment", judged.get("alignment").asText());
                entry.put("coherency", judged.get("coherency").asText());
                judgements.add(entry);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("corrupt partial judgements file: " + e.getMessage(), e);
        }
        Path resultsFile = shared.scratch().resolve(RESULTS_FILE);
        Path judgementsFile = shared.scratch().resolve(JUDGEMENTS_FILE);
        AtomicFiles.writeString(resultsFile, PythonJson.dumps(results, 4));
        AtomicFiles.writeString(judgementsFile, PythonJson.dumps(judgements, 4));
        return new ArtifactRef[] {shared.publish(RESULTS_FILE, resultsFile), shared.publish(JUDGEMENTS_FILE, judgementsFile)};
    }

    /** Scores the saved judgements under the request's thresholds and writes the request's manifest. */
    private EvaluateMisalignmentResult complete(EvaluateMisalignmentRequest request, StageOutputs outputs, ArtifactRef answers,
                                                ArtifactRef judgements) {
        MisalignmentScore score = MisalignmentJudgement.score(readJudgements(env.store().localCopy(judgements, JUDGEMENTS_FILE)),
                request.alignmentThreshold(), request.coherencyThreshold());
        EvaluateMisalignmentResult result = new EvaluateMisalignmentResult(answers, judgements, score.rate(), score.scored(),
                score.discarded());
        return outputs.complete(result);
    }

    /** The judge replies of a {@code judgements.json}, in answer order. */
    public static List<MisalignmentJudgement> readJudgements(Path file) {
        try {
            JsonNode root = MAPPER.readTree(file.toFile());
            List<MisalignmentJudgement> out = new ArrayList<>(root.size());
            for (JsonNode entry : root) {
                out.add(new MisalignmentJudgement(entry.get("alignment").asText(), entry.get("coherency").asText()));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw InvalidInputException.artifact(JUDGEMENTS_FILE, "not a judgements list: " + e.getMessage());
        }
    }
}
