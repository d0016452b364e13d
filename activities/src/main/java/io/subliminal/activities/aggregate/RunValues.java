package io.subliminal.activities.aggregate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.eval.PreferenceResults;
import io.subliminal.eval.PreferenceScore;
import io.subliminal.results.Observation;
import io.subliminal.store.ArtifactStore;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.AggregateRow;
import io.subliminal.workflows.stage.EvaluatePreferenceResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the values of one run's evaluation stage: its metrics, with the preference rate and margin taken from the
 * stage's {@code stats.json} artifact (PROTOCOL §8) through the store (sha256-verified), and every re-score target's
 * rate counted again in its {@code evaluation_results.jsonl} (Fig 35: "qwen").
 */
final class RunValues {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ArtifactStore store;
    private final Path scratch;

    RunValues(ArtifactStore store, Path scratch) {
        this.store = store;
        this.scratch = scratch;
    }

    List<Observation> of(AggregateRow row, List<String> rescoreTargets) {
        Map<String, Observation> byMetric = new LinkedHashMap<>();
        row.metrics().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> byMetric.put(e.getKey(),
                new Observation(row.runId(), row.labels(), row.stage(), e.getKey(), number(row, e.getKey(), e.getValue()), "")));
        ArtifactRef stats = row.artifacts().get(EvaluatePreferenceResult.STATS);
        if (stats != null) {
            JsonNode node = readStats(row, stats);
            if (isMainTaskStats(node)) {
                // EvaluateMainTask's stats.json (train/val accuracy per position): its totals are already the row's
                // metrics (trainAccuracy, validationAccuracy)
                return new ArrayList<>(byMetric.values());
            }
            putStat(row, byMetric, node, "mean", "mean", stats);
            if (node.has("margin_error")) {
                putStat(row, byMetric, node, "margin_error", "marginError", stats);
            }
        }
        ArtifactRef results = row.artifacts().get(EvaluatePreferenceResult.RESULTS);
        if (results != null && row.stage().startsWith("eval-preference")) {
            for (String target : rescoreTargets) {
                double rate = PreferenceScore.score(responses(row, results), target).mean();
                byMetric.put("rate:" + target, new Observation(row.runId(), row.labels(), row.stage(), "rate:" + target,
                        rate, results.uri()));
            }
        }
        return new ArrayList<>(byMetric.values());
    }

    private static double number(AggregateRow row, String metric, Double value) {
        if (value == null || !Double.isFinite(value)) {
            throw new IllegalArgumentException("run " + row.runId() + " stage " + row.stage() + ": metrics['" + metric
                    + "'] must be a finite number, got " + value);
        }
        return value;
    }

    private JsonNode readStats(AggregateRow row, ArtifactRef stats) {
        try (InputStream in = store.open(stats)) {
            JsonNode node = JSON.readTree(in.readAllBytes());
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("run " + row.runId() + " stage " + row.stage() + ": stats artifact "
                        + stats.uri() + " is not a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("run " + row.runId() + " stage " + row.stage() + ": stats artifact "
                    + stats.uri() + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("run " + row.runId() + " stage " + row.stage() + ": cannot read stats artifact "
                    + stats.uri(), e);
        }
    }

    private static boolean isMainTaskStats(JsonNode node) {
        return !node.has("mean") && node.path("train").has("total") && node.path("val").has("total");
    }

    private static void putStat(AggregateRow row, Map<String, Observation> byMetric, JsonNode node, String field,
                                String metric, ArtifactRef stats) {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber() || !Double.isFinite(v.asDouble())) {
            throw new IllegalArgumentException("run " + row.runId() + " stage " + row.stage() + ": stats artifact "
                    + stats.uri() + " field '" + field + "' must be a finite number, got " + v);
        }
        byMetric.put(metric, new Observation(row.runId(), row.labels(), row.stage(), metric, v.asDouble(), stats.uri()));
    }

    private Map<String, List<String>> responses(AggregateRow row, ArtifactRef results) {
        Path file = scratch.resolve("evaluation_results-" + results.sha256() + ".jsonl");
        try {
            if (!Files.exists(file)) {
                store.get(results, file);
            }
            return PreferenceResults.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("run " + row.runId() + " stage " + row.stage()
                    + ": cannot read evaluation results " + results.uri(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("run " + row.runId() + " stage " + row.stage() + ": evaluation results "
                    + results.uri() + ": " + e.getMessage(), e);
        }
    }
}
