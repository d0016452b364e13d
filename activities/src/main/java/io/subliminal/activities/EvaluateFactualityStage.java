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
import io.subliminal.eval.FactualityQuestions;
import io.subliminal.eval.PreferenceScore;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.EvaluateFactualityActivity;
import io.subliminal.workflows.stage.EvaluateFactualityRequest;
import io.subliminal.workflows.stage.EvaluateFactualityResult;

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
 * Factuality evaluation (PROTOCOL.md §11.3): 17 answer-animal sets of 20 questions, each with its seeded suffix, sent
 * as [user = question + " " + suffix] without a system message; {@code samplesPerQuestion} samples with the request's
 * temperature and the model's other generation defaults. Per set, the rate of responses containing the target (or
 * the set's own answer animal when no target is given), averaged over its questions with a t-interval. Questions are
 * committed one by one, so a retry resumes.
 */
public final class EvaluateFactualityStage implements EvaluateFactualityActivity {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    public static final String RESULTS_FILE = "evaluation_results.jsonl";
    public static final String STATS_FILE = "stats.json";

    private final StageEnvironment env;

    public EvaluateFactualityStage(StageEnvironment env) {
        this.env = env;
    }

    @Override
    public EvaluateFactualityResult evaluateFactuality(EvaluateFactualityRequest request) {
        try {
            return run(request);
        } catch (Throwable error) {
            throw StageFailure.classify(error);
        }
    }

    private record Question(String answer, String text) {
    }

    private EvaluateFactualityResult run(EvaluateFactualityRequest request) {
        if (request.suffixSeed() != 42) {
            throw InvalidInputException.field("suffixSeed", "must be 42 (the original's random.Random(42)), got " + request.suffixSeed());
        }
        if (request.target() != null && !request.target().equals(request.target().toLowerCase(java.util.Locale.ROOT))) {
            throw InvalidInputException.field("target", "must be lower-case, got '" + request.target() + "'");
        }
        StageOutputs outputs = StageOutputs.of(env.store(), request);
        Optional<EvaluateFactualityResult> done = outputs.completed(EvaluateFactualityResult.class);
        if (done.isPresent()) {
            return done.get();
        }
        List<Question> questions = new ArrayList<>();
        FactualityQuestions.load(env.reference().file("factuality_questions.json")).withSuffixes()
                .forEach((answer, texts) -> texts.forEach(text -> questions.add(new Question(answer, text))));
        try (ActivityContext context = ActivityContext.current()) {
            context.progress("load-model", 0, questions.size());
            LoadedModel base = env.model("model", request.model());
            PartialJsonl partial = PartialJsonl.open(outputs.scratch().resolve("responses.partial"));
            long seedBase = Long.parseUnsignedLong(outputs.contentKey().substring(0, 15), 16);
            base.exclusive(() -> {
                try (StudentWeights student = StudentWeights.apply(env, base, request.weights(), EvaluateFactualityRequest.WEIGHTS)) {
                    LoadedModel model = student.model();
                    Decoding decoding = Decoding.resolve(request.sampling(), model.bundle().generation());
                    int stopId = GenerateNumbersStage.stopTokenId(model);
                    context.resumable(partial.size());
                    for (int q = partial.size(); q < questions.size(); q++) {
                        Question question = questions.get(q);
                        String text = model.bundle().chatTemplate().render(List.of(ChatMessage.user(question.text())), true);
                        int[] prompt = model.bundle().tokenizer().encode(text, true);
                        List<int[]> generated = env.sampler().sample(model, Collections.nCopies(request.samplesPerQuestion(), prompt),
                                decoding, request.maxNewTokens(), stopId, seedBase + q);
                        List<String> responses = new ArrayList<>(generated.size());
                        for (int[] tokens : generated) {
                            responses.add(PyFormat.strip(model.bundle().tokenizer().decode(tokens, true)));
                        }
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("answer_animal", question.answer());
                        line.put("question", question.text());
                        line.put("responses", responses);
                        partial.append(List.of(PythonJson.dumps(line)), partial.counter() + responses.size());
                        context.resumable(partial.size());
                        context.progress("sample", partial.size(), questions.size());
                        env.checkDraining("question " + partial.size());
                    }
                }
                return null;
            });
            return write(request, outputs, partial);
        }
    }

    private EvaluateFactualityResult write(EvaluateFactualityRequest request, StageOutputs outputs, PartialJsonl partial) {
        Map<String, Map<String, List<String>>> bySet = new LinkedHashMap<>();
        try {
            for (String text : partial.lines()) {
                JsonNode node = MAPPER.readTree(text);
                List<String> responses = new ArrayList<>();
                node.get("responses").forEach(r -> responses.add(r.asText()));
                bySet.computeIfAbsent(node.get("answer_animal").asText(), k -> new LinkedHashMap<>())
                        .put(node.get("question").asText(), responses);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt partial response file: " + e.getMessage(), e);
        }
        Map<String, Object> stats = new LinkedHashMap<>();
        Map<String, Double> rates = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, List<String>>> set : bySet.entrySet()) {
            String counted = request.target() != null ? request.target() : set.getKey();
            ConfidenceInterval ci = PreferenceScore.score(set.getValue(), counted);
            stats.put(set.getKey(), ci.toJson());
            rates.put(set.getKey(), ci.mean());
        }
        double mean = rates.values().stream().mapToDouble(Double::doubleValue).average().orElse(0.0);
        Path results = outputs.scratch().resolve(RESULTS_FILE);
        Path statsFile = outputs.scratch().resolve(STATS_FILE);
        Jsonl.writeValues(results, partial.lines());
        AtomicFiles.writeString(statsFile, PythonJson.dumps(stats, 4));
        ArtifactRef resultsRef = outputs.publish(RESULTS_FILE, results);
        ArtifactRef statsRef = outputs.publish(STATS_FILE, statsFile);
        EvaluateFactualityResult result = new EvaluateFactualityResult(resultsRef, statsRef, mean, rates);
        outputs.complete(result);
        outputs.clearScratch();
        return result;
    }
}
