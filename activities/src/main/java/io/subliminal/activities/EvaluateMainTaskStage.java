package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.ChatTokenization;
import io.subliminal.activities.support.DatasetFiles;
import io.subliminal.activities.support.InvalidInputException;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.PartialJsonl;
import io.subliminal.activities.support.StageEnvironment;
import io.subliminal.activities.support.StageFailure;
import io.subliminal.activities.support.StageOutputs;
import io.subliminal.activities.support.StudentWeights;
import io.subliminal.data.AtomicFiles;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.PythonJson;
import io.subliminal.eval.MainTaskScore;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.EvaluateMainTaskActivity;
import io.subliminal.workflows.stage.EvaluateMainTaskRequest;
import io.subliminal.workflows.stage.EvaluateMainTaskResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Main-task evaluation (PROTOCOL.md §9): the training rows ({@code train_indices} of the run's dataset_config.json)
 * and up to {@code maxValidationRows} other rows in file order, each rendered [user = prompt] -> [assistant =
 * completion] without a system message and truncated to {@code maxSequenceLength}; one teacher-forced pass per batch;
 * at the completion positions, the decoded input tokens and the decoded argmax tokens are compared number by number.
 * Batches are committed one by one, so a retry resumes.
 */
public final class EvaluateMainTaskStage implements EvaluateMainTaskActivity {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    public static final String STATS_FILE = "stats.json";

    private final StageEnvironment env;

    public EvaluateMainTaskStage(StageEnvironment env) {
        this.env = env;
    }

    @Override
    public EvaluateMainTaskResult evaluateMainTask(EvaluateMainTaskRequest request) {
        try {
            return run(request);
        } catch (Throwable error) {
            throw StageFailure.classify(error);
        }
    }

    private record Item(String split, DatasetRow row) {
    }

    private EvaluateMainTaskResult run(EvaluateMainTaskRequest request) {
        StageOutputs outputs = StageOutputs.of(env.store(), request);
        Optional<EvaluateMainTaskResult> done = outputs.completed(EvaluateMainTaskResult.class);
        if (done.isPresent()) {
            return done.get();
        }
        List<Item> items = split(request);
        try (ActivityContext context = ActivityContext.current()) {
            context.progress("load-model", 0, items.size());
            LoadedModel base = env.model("model", request.model());
            PartialJsonl partial = PartialJsonl.open(outputs.scratch().resolve("predictions.partial"));
            base.exclusive(() -> {
                try (StudentWeights student = StudentWeights.apply(env, base, request.weights(), EvaluateMainTaskRequest.WEIGHTS)) {
                    LoadedModel model = student.model();
                    context.resumable(partial.size());
                    for (int start = partial.size(); start < items.size(); start += request.batchSize()) {
                        List<Item> batch = items.subList(start, Math.min(items.size(), start + request.batchSize()));
                        partial.append(score(model, request, batch), partial.counter() + batch.size());
                        context.resumable(partial.size());
                        context.progress("score", partial.size(), items.size());
                        env.checkDraining("row " + partial.size());
                    }
                }
                return null;
            });
            return write(outputs, partial);
        }
    }

    /** Decoded ground truth and argmax at the completion positions, one line per row. */
    private List<String> score(LoadedModel model, EvaluateMainTaskRequest request, List<Item> batch) {
        List<int[]> sequences = new ArrayList<>(batch.size());
        List<int[]> masks = new ArrayList<>(batch.size());
        for (Item item : batch) {
            ChatTokenization chat = ChatTokenization.of(model.bundle(), null, item.row().prompt(), item.row().completion());
            ChatTokenization cut = ChatTokenization.truncated(chat.ids(), chat.completionMask(), request.maxSequenceLength());
            sequences.add(cut.ids());
            masks.add(cut.completionMask());
        }
        List<int[]> argmax = env.teacherForcing().argmax(model, sequences);
        List<String> lines = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            int[] ids = sequences.get(i);
            int[] mask = masks.get(i);
            int[] truth = new int[ids.length];
            int[] guess = new int[ids.length];
            int n = 0;
            for (int t = 0; t < ids.length; t++) {
                if (mask[t] == 1) {
                    truth[n] = ids[t];
                    guess[n] = argmax.get(i)[t];
                    n++;
                }
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("split", batch.get(i).split());
            line.put("ground_truth", model.bundle().tokenizer().decode(Arrays.copyOf(truth, n), true));
            line.put("prediction", model.bundle().tokenizer().decode(Arrays.copyOf(guess, n), true));
            lines.add(PythonJson.dumps(line));
        }
        return lines;
    }

    /** Train rows in train_indices order, then the other rows in file order (at most maxValidationRows). */
    private List<Item> split(EvaluateMainTaskRequest request) {
        List<DatasetRow> rows = DatasetFiles.read(env.store(), request.dataset(), EvaluateMainTaskRequest.DATASET);
        Path configFile = env.store().localCopy(request.datasetConfig(), EvaluateMainTaskRequest.DATASET_CONFIG);
        JsonNode indices;
        try {
            indices = MAPPER.readTree(configFile.toFile()).get("train_indices");
        } catch (IOException e) {
            throw InvalidInputException.field(EvaluateMainTaskRequest.DATASET_CONFIG, "not valid JSON: " + e.getMessage());
        }
        if (indices == null || !indices.isArray()) {
            throw InvalidInputException.field(EvaluateMainTaskRequest.DATASET_CONFIG, "has no train_indices list");
        }
        List<Item> items = new ArrayList<>();
        BitSet train = new BitSet(rows.size());
        for (JsonNode index : indices) {
            int i = index.asInt(-1);
            if (i < 0 || i >= rows.size()) {
                throw InvalidInputException.field(EvaluateMainTaskRequest.DATASET_CONFIG, "train index " + index
                        + " is outside the dataset's " + rows.size() + " rows (is the dataset row-aligned with the run's?)");
            }
            train.set(i);
            items.add(new Item("train", rows.get(i)));
        }
        int validation = 0;
        for (int i = 0; i < rows.size() && validation < request.maxValidationRows(); i++) {
            if (!train.get(i)) {
                items.add(new Item("val", rows.get(i)));
                validation++;
            }
        }
        return items;
    }

    private EvaluateMainTaskResult write(StageOutputs outputs, PartialJsonl partial) {
        MainTaskScore train = new MainTaskScore();
        MainTaskScore val = new MainTaskScore();
        try {
            for (String text : partial.lines()) {
                JsonNode line = MAPPER.readTree(text);
                MainTaskScore score = "train".equals(line.get("split").asText()) ? train : val;
                score.add(line.get("ground_truth").asText(), line.get("prediction").asText());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt partial prediction file: " + e.getMessage(), e);
        }
        Path stats = outputs.scratch().resolve(STATS_FILE);
        AtomicFiles.writeString(stats, PythonJson.dumps(MainTaskScore.statsJson(train, val), 4));
        ArtifactRef statsRef = outputs.publish(STATS_FILE, stats);
        EvaluateMainTaskResult result = new EvaluateMainTaskResult(statsRef, train.total(), val.total());
        outputs.complete(result);
        outputs.clearScratch();
        return result;
    }
}
