package io.subliminal.data;

import io.subliminal.eval.PreferenceScore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Benchmark command for the pure-Java dataset logic (not a test): times the paper-sized operations and writes a JSON
 * report. Usage: {@code DataLogicBenchmark <reference dir> <output json>}; each timing is the best of 3 runs.
 */
public final class DataLogicBenchmark {

    private DataLogicBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: DataLogicBenchmark <reference dir> <output json>");
            System.exit(2);
        }
        Path templatesFile = Path.of(args[0], "data", "number_prompt_templates.json");
        NumberPromptTemplates templates = NumberPromptTemplates.load(templatesFile);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("machine_cores", Runtime.getRuntime().availableProcessors());
        report.put("java", System.getProperty("java.version"));

        List<String> prompts = NumberPromptGenerator.paper(templates).all();
        time(report, "generate_30000_prompts_ms", () -> NumberPromptGenerator.paper(templates).all());

        PythonRandom r = new PythonRandom(1);
        List<DatasetRow> rows = new ArrayList<>(prompts.size());
        for (String p : prompts) {
            int n = 1 + (int) r.randbelow(10);
            StringBuilder c = new StringBuilder();
            for (int i = 0; i < n; i++) {
                c.append(i == 0 ? "" : ", ").append(r.randbelow(1000));
            }
            rows.add(new DatasetRow(p, c.toString()));
        }
        time(report, "filter_30000_completions_ms", () -> rows.stream().filter(x -> CompletionFilter.PAPER.accepts(x.completion())).count());
        time(report, "sample_10000_of_27000_ms", () -> new PythonRandom(42).sampleRange(27_000, 10_000));
        time(report, "shuffle_within_30000_rows_ms", () -> DatasetShuffles.shuffleWithinResponses(rows, new PythonRandom(42)));
        time(report, "shuffle_template_parts_30000_rows_ms", () -> DatasetShuffles.shuffleTemplateParts(rows,
                DatasetShuffles.DEFAULT_PARTS, templates, new PythonRandom(42)));
        Path tmp = Files.createTempDirectory("bench").resolve("rows.jsonl");
        time(report, "jsonl_write_30000_rows_ms", () -> Jsonl.write(tmp, rows));
        time(report, "jsonl_read_30000_rows_ms", () -> Jsonl.read(tmp));
        Files.deleteIfExists(tmp);
        Map<String, List<String>> responses = new LinkedHashMap<>();
        for (int q = 0; q < 50; q++) {
            List<String> rs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                rs.add(i % 7 == 0 ? "Owl." : "Dolphin");
            }
            responses.put("question " + q, rs);
        }
        time(report, "preference_score_50x200_ms", () -> PreferenceScore.score(responses, "owl"));

        String json = PythonJson.dumps(report, 2);
        System.out.println(json);
        AtomicFiles.writeString(Path.of(args[1]), json + "\n");
    }

    private static void time(Map<String, Object> report, String key, Runnable work) {
        double best = Double.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            work.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e6);
        }
        report.put(key, Math.round(best * 10) / 10.0);
    }
}
