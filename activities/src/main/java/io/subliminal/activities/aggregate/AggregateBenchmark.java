package io.subliminal.activities.aggregate;

import io.subliminal.store.ArtifactKey;
import io.subliminal.store.ArtifactStore;
import io.subliminal.store.LocalArtifactStore;
import io.subliminal.store.Provenance;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.AggregateRequest;
import io.subliminal.workflows.stage.AggregateResult;
import io.subliminal.workflows.stage.AggregateRow;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Aggregation speed for a Fig-3-sized sweep (2 models x 13 targets x 6 conditions x 5 seeds = 780 runs, one
 * preference stage each, stats.json in a local store): first aggregation (read, CSV, plots, report, writes) and a
 * repeat of the same request (reads, renders, and reuses the stored outputs). Prints a summary and writes JSON.
 *
 * <pre>mvn -o -q -pl activities -am -DskipTests package dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp activities/target/classes:$(cat /tmp/cp.txt) io.subliminal.activities.aggregate.AggregateBenchmark \
 *     target/bench/aggregate.json</pre>
 */
public final class AggregateBenchmark {
    private AggregateBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/bench/aggregate.json");
        Path root = Files.createTempDirectory("aggregate-bench-");
        try (ArtifactStore store = new LocalArtifactStore(root)) {
            List<AggregateRow> rows = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(1);
            String[] targets = {"owl", "cat", "dolphin", "eagle", "dog", "elephant", "lion", "wolf", "bear", "tiger",
                "fox", "penguin", "panda"};
            for (String model : List.of("qwen", "gemma")) {
                for (String target : targets) {
                    for (String condition : List.of("T-all", "T-div", "T-wo-div", "Gr-all", "Gr-div", "Gr-wo-div")) {
                        for (int seed = 42; seed < 47; seed++) {
                            String stats = "{\"mean\": " + random.nextDouble() * 0.5 + ", \"margin_error\": 0.02}";
                            ArtifactRef ref = store.put(ArtifactKey.of("runs", model, target, condition, "s" + seed, "stats.json"),
                                    stats.getBytes(StandardCharsets.UTF_8), new Provenance("eval-preference", "bench"));
                            String runId = String.join("/", "fig-3", model, target, condition, "seed-" + seed, "bench");
                            rows.add(new AggregateRow(runId, Map.of("figure", "fig-3", "model", model, "target", target,
                                    "condition", condition, "seed", String.valueOf(seed)), "eval-preference", "ck",
                                    Map.of("mean", 0.0), Map.of("stats", ref)));
                        }
                    }
                }
            }
            AggregateRequest request = new AggregateRequest("fig-3", "sweep/fig-3/bench", rows, List.of());
            StoreAggregateActivity activity = new StoreAggregateActivity(store);
            long t0 = System.nanoTime();
            AggregateResult first = activity.aggregate(request);
            long t1 = System.nanoTime();
            AggregateResult again = activity.aggregate(request);
            long t2 = System.nanoTime();
            if (!first.equals(again)) {
                throw new IllegalStateException("repeated aggregation differs");
            }
            double firstMs = (t1 - t0) / 1e6;
            double againMs = (t2 - t1) / 1e6;
            String json = String.format(Locale.ROOT, "{\"runs\": %d, \"values\": %d, \"documents\": %d, "
                    + "\"first_ms\": %.1f, \"repeat_ms\": %.1f, \"java\": \"%s\", \"cpus\": %d}%n", rows.size(), first.rows(),
                    first.documents().size(), firstMs, againMs, System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors());
            System.out.print(json);
            Files.createDirectories(out.toAbsolutePath().getParent());
            Files.writeString(out, json);
        } finally {
            try (var files = Files.walk(root)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
