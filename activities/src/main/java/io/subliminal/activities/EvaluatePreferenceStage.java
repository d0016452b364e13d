package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.engine.Decoding;
import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.PartialJsonl;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageFailure;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.activities.support.StudentWeights;
import io.subliminal.data.AtomicFiles;
import io.subliminal.data.Jsonl;
import io.subliminal.data.PyFormat;
import io.subliminal.data.PythonJson;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.eval.ConfidenceInterval;
import io.subliminal.eval.PreferenceScore;
import io.subliminal.eval.QuestionSet;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.EvaluatePreferenceActivity;
import io.subliminal.workflows.stage.EvaluatePreferenceRequest;
import io.subliminal.workflows.stage.EvaluatePreferenceResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Preference evaluation (PROTOCOL.md §8): for each of the 50 questions, [optional system message, user = question]
 * with the generation prompt, {@code samplesPerQuestion} samples of at most {@code maxNewTokens} tokens with the
 * request's temperature/top-p and the model's own top-k and repetition penalty; responses decoded without special
 * tokens and stripped; the rate of responses containing the target, averaged over questions, with its CI.
 * Questions are committed one by one, so a retry resumes after the last finished question.
 *
 * <p>Logit lens ({@code computeLogitsFrom} = L): every sampling step reads its logits out after decoder layer L
 * (final norm and LM head on HF {@code hidden_states[L+1]}) of the student, adapter applied (attaching the LoRA
 * computes the same as merging it). Difference from the original at the last layer: HF's last hidden state already
 * has the final norm applied, so the original normalises twice there; here L = last layer is ordinary sampling.
 */
public final class EvaluatePreferenceStage implements EvaluatePreferenceActivity {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    public static final String RESULTS_FILE = "evaluation_results.jsonl";
    public static final String STATS_FILE = "stats.json";

    private final StageEnvironment env;

    public EvaluatePreferenceStage(StageEnvironment env) {
        this.env = env;
    }

    @Override
    public EvaluatePreferenceResult evaluatePreference(EvaluatePreferenceRequest request) {
        try {
            return run(request);
        } catch (Throwable error) {
            throw StageFailure.classify(error);
        }
    }

    private EvaluatePreferenceResult run(EvaluatePreferenceRequest request) {
        StageOutputs outputs = StageOutputs.of(env.store(), request);
        Optional<EvaluatePreferenceResult> done = outputs.completed(EvaluatePreferenceResult.class);
        if (done.isPresent()) {
            return done.get();
        }
        List<String> questions = QuestionSet.load(env.reference().file("preference_eval_questions.json"),
                request.questions() == io.subliminal.workflows.stage.QuestionSet.TREES ? QuestionSet.TREE : QuestionSet.ANIMAL).questions();
        try (ActivityContext context = ActivityContext.current()) {
            context.progress("load-model", 0, questions.size());
            LoadedModel base = env.model("model", request.model());
            int layers = base.transformer().config().numLayers();
            if (request.computeLogitsFrom() != null && request.computeLogitsFrom() >= layers) {
                throw InvalidInputException.field("computeLogitsFrom", "layer " + request.computeLogitsFrom()
                        + " does not exist: " + request.model() + " has decoder layers 0.." + (layers - 1));
            }
            int readoutLayer = request.computeLogitsFrom() == null ? layers - 1 : request.computeLogitsFrom();
            PartialJsonl partial = PartialJsonl.open(outputs.scratch().resolve("responses.partial"));
            long seedBase = Long.parseUnsignedLong(outputs.contentKey().substring(0, 15), 16);
            base.exclusive(() -> {
                try (StudentWeights student = StudentWeights.apply(env, base, request.weights(), EvaluatePreferenceRequest.WEIGHTS)) {
                    LoadedModel model = student.model();
                    Decoding decoding = Decoding.resolve(request.sampling(), model.bundle().generation());
                    int stopId = GenerateNumbersStage.stopTokenId(model);
                    context.resumable(partial.size());
                    for (int q = partial.size(); q < questions.size(); q++) {
                        String question = questions.get(q);
                        List<ChatMessage> chat = new ArrayList<>(2);
                        if (request.systemPrompt() != null) {
                            chat.add(ChatMessage.system(request.systemPrompt()));
                        }
                        chat.add(ChatMessage.user(question));
                        int[] prompt = model.bundle().tokenizer().encode(model.bundle().chatTemplate().render(chat, true), true);
                        List<int[]> generated = env.sampler().sample(model, Collections.nCopies(request.samplesPerQuestion(), prompt),
                                decoding, request.maxNewTokens(), stopId, seedBase + q, readoutLayer);
                        List<String> responses = new ArrayList<>(generated.size());
                        for (int[] tokens : generated) {
                            responses.add(PyFormat.strip(model.bundle().tokenizer().decode(tokens, true)));
                        }
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("question", question);
                        line.put("responses", responses);
                        partial.append(List.of(PythonJson.dumps(line)), partial.counter() + responses.size());
                        context.resumable(partial.size());
                        context.progress("sample", partial.size(), questions.size());
                        env.checkDraining("question " + partial.size());
                    }
                }
                return null;
            });
            context.progress("score", questions.size(), questions.size());
            return write(request, outputs, partial);
        }
    }

    private EvaluatePreferenceResult write(EvaluatePreferenceRequest request, StageOutputs outputs, PartialJsonl partial) {
        Map<String, List<String>> byQuestion = new LinkedHashMap<>();
        List<String> resultLines = new ArrayList<>(partial.size());
        try {
            for (String text : partial.lines()) {
                JsonNode node = MAPPER.readTree(text);
                String question = node.get("question").asText();
                List<String> responses = new ArrayList<>();
                node.get("responses").forEach(r -> responses.add(r.asText()));
                byQuestion.put(question, responses);
                resultLines.add(resultLine(question, responses));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt partial response file: " + e.getMessage(), e);
        }
        ConfidenceInterval ci = PreferenceScore.score(byQuestion, request.target());
        Map<String, Double> extra = new LinkedHashMap<>();
        for (String target : request.extraTargets()) {
            extra.put(target, PreferenceScore.score(byQuestion, target).mean());
        }
        Path results = outputs.scratch().resolve(RESULTS_FILE);
        Path stats = outputs.scratch().resolve(STATS_FILE);
        Jsonl.writeValues(results, resultLines);
        AtomicFiles.writeString(stats, PreferenceScore.statsJson(ci));
        ArtifactRef resultsRef = outputs.publish(RESULTS_FILE, results);
        ArtifactRef statsRef = outputs.publish(STATS_FILE, stats);
        EvaluatePreferenceResult result = new EvaluatePreferenceResult(resultsRef, statsRef, ci.mean(), ci.marginError(), extra);
        outputs.complete(result);
        outputs.clearScratch();
        return result;
    }

    /** One line of the original's evaluation_results.jsonl. */
    private static String resultLine(String question, List<String> responses) {
        List<Object> entries = new ArrayList<>(responses.size());
        for (String completion : responses) {
            Map<String, Object> response = new LinkedHashMap<>();
            response.put("model_id", "finetuned");
            response.put("completion", completion);
            response.put("stop_reason", "stop_sequence");
            response.put("logprobs", null);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("response", response);
            entry.put("judgment_response_map", new LinkedHashMap<>());
            entries.add(entry);
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("question", question);
        line.put("responses", entries);
        return PythonJson.dumps(line);
    }
}
