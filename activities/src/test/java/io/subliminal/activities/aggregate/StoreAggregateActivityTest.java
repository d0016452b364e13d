package io.subliminal.activities.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.eval.PreferenceResults;
import io.subliminal.store.ArtifactKey;
import io.subliminal.store.ArtifactStore;
import io.subliminal.store.LocalArtifactStore;
import io.subliminal.store.Provenance;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.AggregateRequest;
import io.subliminal.workflows.stage.AggregateResult;
import io.subliminal.workflows.stage.AggregateRow;
import io.subliminal.workflows.stage.RunRowsRequest;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class StoreAggregateActivityTest {
    @TempDir
    Path dir;
    ArtifactStore store;
    StoreAggregateActivity activity;

    @BeforeEach
    void open() throws IOException {
        store = new LocalArtifactStore(dir.resolve("store"), "test", Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));
        activity = new StoreAggregateActivity(store);
    }

    /** A preference stage of one run whose stats.json holds {@code mean} (and the stage metric a different value). */
    AggregateRow preference(String model, String target, String condition, int seed, double mean) throws IOException {
        String runId = "fig-3/" + model + "/" + target + "/" + condition + "/seed-" + seed + "/abc";
        String stats = "{\n    \"mean\": " + mean + ",\n    \"margin_error\": 0.01,\n    \"count\": 50\n}";
        ArtifactRef ref = store.put(ArtifactKey.of("runs", model, target, condition, "s" + seed, "stats.json"),
                stats.getBytes(StandardCharsets.UTF_8), new Provenance("eval-preference", "k" + seed));
        return new AggregateRow(runId, labels(model, target, condition, seed), "eval-preference", "ck-" + runId.hashCode(),
                Map.of("mean", -1.0, "marginError", 0.01), Map.of("stats", ref));
    }

    static Map<String, String> labels(String model, String target, String condition, int seed) {
        return Map.of("figure", "fig-3", "model", model, "target", target, "condition", condition, "seed", String.valueOf(seed));
    }

    List<AggregateRow> fig3() throws IOException {
        List<AggregateRow> rows = new ArrayList<>();
        double[][] owl = {{0.10, 0.20, 0.40}, {0.30, 0.35, 0.50}};
        String[] conditions = {"T-all", "T-div"};
        for (String model : List.of("qwen", "gemma")) {
            for (String target : List.of("owl", "cat")) {
                for (int c = 0; c < 2; c++) {
                    for (int s = 0; s < 3; s++) {
                        double v = owl[c][s] + (target.equals("cat") ? 0.05 : 0) + (model.equals("gemma") ? 0.1 : 0);
                        rows.add(preference(model, target, conditions[c], 42 + s, v));
                    }
                }
            }
        }
        return rows;
    }

    String text(ArtifactRef ref) throws IOException {
        return new String(bytes(ref), StandardCharsets.UTF_8);
    }

    byte[] bytes(ArtifactRef ref) throws IOException {
        try (InputStream in = store.open(ref)) {
            return in.readAllBytes();
        }
    }

    static List<String> line(String csv, String... prefix) {
        String start = String.join(",", prefix) + ",";
        return Arrays.stream(csv.split("\n")).filter(l -> l.startsWith(start)).toList();
    }

    @Test
    void summaryHasMeanAndStandardErrorOverSeedsFromTheStatsArtifacts() throws IOException {
        List<AggregateRow> rows = fig3();
        AggregateResult result = activity.aggregate(new AggregateRequest("fig-3", "sweep/fig-3/1", rows, List.of()));
        String summary = text(result.summary());
        assertEquals("figure,stage,metric,model,target,condition,series,axis,x,n,mean,se,std,seeds,run_ids,sources",
                summary.lines().findFirst().orElseThrow());
        List<String> point = line(summary, "fig-3", "eval-preference", "mean", "qwen", "owl", "T-all");
        assertEquals(1, point.size(), summary);
        String[] f = point.get(0).split(",");
        // mean of stats.json means (0.1, 0.2, 0.4), not the stage metric (-1): SE = std(ddof=1)/sqrt(3)
        assertEquals(0.2333333333333333, Double.parseDouble(f[10]), 1e-12);
        assertEquals(0.08819171036881969, Double.parseDouble(f[11]), 1e-12);
        assertEquals("3", f[9]);
        assertEquals("42;43;44", f[13]);
        assertEquals(rows.get(0).runId() + ";" + rows.get(1).runId() + ";" + rows.get(2).runId(), f[14]);
        assertEquals(rows.get(0).artifacts().get("stats").uri(), f[15].split(";")[0]);
        // 2 models x 2 targets x 2 conditions, each for mean and marginError
        assertEquals(1 + 16, summary.lines().count());
    }

    @Test
    void tableHasOneLinePerRunStageAndMetric() throws IOException {
        List<AggregateRow> rows = fig3();
        AggregateResult result = activity.aggregate(new AggregateRequest("fig-3", "sweep-1", rows, List.of()));
        String table = text(result.table());
        assertEquals("figure,run_id,model,target,condition,seed,stage,metric,value,source", table.lines().findFirst().orElseThrow());
        assertEquals(1 + 2 * rows.size(), table.lines().count());
        assertEquals(2 * rows.size(), result.rows());
        AggregateRow first = rows.get(0);
        assertTrue(table.contains("fig-3," + first.runId() + ",qwen,owl,T-all,42,eval-preference,mean,0.1,"
                + first.artifacts().get("stats").uri() + "\n"), table);
    }

    @Test
    void rowsStoredPerRunAggregateLikeInlineRowsAndAreStoredOnce() throws Exception {
        List<AggregateRow> rows = fig3();
        Map<String, List<AggregateRow>> byRun = new java.util.TreeMap<>();
        rows.forEach(row -> byRun.computeIfAbsent(row.runId(), id -> new java.util.ArrayList<>()).add(row));
        List<ArtifactRef> pages = new java.util.ArrayList<>();
        for (Map.Entry<String, List<AggregateRow>> run : byRun.entrySet()) {
            ArtifactRef page = activity.storeRunRows(new RunRowsRequest(run.getKey(), run.getValue()));
            assertEquals(page, activity.storeRunRows(new RunRowsRequest(run.getKey(), run.getValue())), "same rows, same artifact");
            pages.add(page);
        }
        assertEquals(byRun.size(), new java.util.HashSet<>(pages).size());
        AggregateResult inline = activity.aggregate(new AggregateRequest("fig-3", "sweep-1", rows, List.of()));
        AggregateResult paged = activity.aggregate(new AggregateRequest("fig-3", "sweep-1", List.of(), List.of(), pages));
        assertEquals(inline.rows(), paged.rows());
        // the same lines (the table follows the pages' run order, the inline rows theirs) and the same summary
        assertEquals(new String(bytes(inline.table()), StandardCharsets.UTF_8).lines().sorted().toList(),
                new String(bytes(paged.table()), StandardCharsets.UTF_8).lines().sorted().toList());
        assertEquals(new String(bytes(inline.summary()), StandardCharsets.UTF_8), new String(bytes(paged.summary()), StandardCharsets.UTF_8));

        // a page whose bytes changed is refused, never aggregated
        java.nio.file.Path file = dir.resolve("store").resolve(store.keyOf(pages.get(0)).value());
        java.nio.file.Files.writeString(file, "[]");
        assertThrows(RuntimeException.class,
                () -> activity.aggregate(new AggregateRequest("fig-3", "sweep-2", List.of(), List.of(), pages)));
    }

    @Test
    void barChartSvgIsWellFormedAndDrawsEveryBarAndErrorBar() throws Exception {
        AggregateResult result = activity.aggregate(new AggregateRequest("fig-3", "sweep-1", fig3(), List.of()));
        ArtifactRef svgRef = result.documents().get("eval-preference.mean.bars.svg");
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new ByteArrayInputStream(bytes(svgRef)));
        Element root = svg.getDocumentElement();
        assertEquals("svg", root.getTagName());
        // 2 panels x 2 targets x 2 conditions = 8 bars plus 2 legend swatches
        assertEquals(10, svg.getElementsByTagName("rect").getLength());
        List<String> texts = texts(svg);
        for (String expected : List.of("(a) gemma", "(b) qwen", "owl", "cat", "T-all", "T-div", "preference rate", "target")) {
            assertTrue(texts.contains(expected), expected + " in " + texts);
        }
        // bar heights are proportional to the means: gemma's cat T-div bar (0.533) against its T-all bar (0.383)
        NodeList rects = svg.getElementsByTagName("rect");
        double tAll = Double.parseDouble(((Element) rects.item(0)).getAttribute("height"));
        double tDiv = Double.parseDouble(((Element) rects.item(1)).getAttribute("height"));
        assertEquals(0.5333333333333333 / 0.3833333333333333, tDiv / tAll, 0.001);
        // each bar has an error bar: one vertical line and two caps
        long blackLines = countLines(svg, "#000000");
        assertTrue(blackLines >= 8 * 3, "error-bar lines: " + blackLines);
        assertTrue(!result.documents().containsKey("eval-preference.marginError.bars.svg"));
    }

    @Test
    void pngDecodesAtTwiceTheSvgSize() throws Exception {
        AggregateResult result = activity.aggregate(new AggregateRequest("fig-3", "sweep-1", fig3(), List.of()));
        byte[] png = bytes(result.documents().get("eval-preference.mean.bars.png"));
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        Element svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(bytes(result.documents().get("eval-preference.mean.bars.svg")))).getDocumentElement();
        assertEquals(2 * Integer.parseInt(svg.getAttribute("width")), image.getWidth());
        assertEquals(2 * Integer.parseInt(svg.getAttribute("height")), image.getHeight());
        // the first bar's colour is on the image
        boolean blue = false;
        for (int y = 0; y < image.getHeight() && !blue; y += 2) {
            for (int x = 0; x < image.getWidth() && !blue; x += 2) {
                blue = (image.getRGB(x, y) & 0xffffff) == 0x1f77b4;
            }
        }
        assertTrue(blue, "no bar pixels in the PNG");
        Path out = Path.of(System.getProperty("java.io.tmpdir"), "subliminal-aggregate-fig3.png");
        Files.write(out, png);
    }

    @Test
    void sweptConditionsGetALineChartOverTheAxis() throws Exception {
        List<AggregateRow> rows = new ArrayList<>();
        for (int layer : new int[] {0, 7, 14}) {
            for (int s = 0; s < 2; s++) {
                rows.add(preference("qwen", "owl", "T-all-layer-" + layer, 42 + s, 0.1 + layer / 100.0 + s * 0.02));
            }
        }
        AggregateResult result = activity.aggregate(new AggregateRequest("fig-5", "sweep-5", relabel(rows, "fig-5"), List.of()));
        Document svg = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(bytes(result.documents().get("eval-preference.mean.lines.svg"))));
        assertEquals(3 + 1, svg.getElementsByTagName("circle").getLength());
        List<String> texts = texts(svg);
        for (String expected : List.of("0", "7", "14", "LoRA layer", "owl")) {
            assertTrue(texts.contains(expected), expected + " in " + texts);
        }
        String summary = text(result.summary());
        List<String> point = line(summary, "fig-5", "eval-preference", "mean", "qwen", "owl", "T-all-layer-14");
        assertEquals("T-all-layer,LoRA layer,14.0,2", String.join(",", Arrays.copyOfRange(point.get(0).split(","), 6, 10)));
        ImageIO.write(ImageIO.read(new ByteArrayInputStream(bytes(result.documents().get("eval-preference.mean.lines.png")))),
                "png", Path.of(System.getProperty("java.io.tmpdir"), "subliminal-aggregate-fig5.png").toFile());
    }

    static List<AggregateRow> relabel(List<AggregateRow> rows, String figure) {
        return rows.stream().map(r -> {
            Map<String, String> labels = new LinkedHashMap<>(r.labels());
            labels.put("figure", figure);
            return new AggregateRow(r.runId(), labels, r.stage(), r.contentKey(), r.metrics(), r.artifacts());
        }).toList();
    }

    @Test
    void reportLinksEveryPointToItsRunsAndArtifacts() throws IOException {
        List<AggregateRow> rows = fig3();
        AggregateResult result = activity.aggregate(new AggregateRequest("fig-3", "sweep-1", rows, List.of()));
        String html = text(result.documents().get("report.html"));
        String md = text(result.documents().get("report.md"));
        for (AggregateRow row : rows) {
            assertTrue(html.contains("<code>" + row.runId() + "</code>"), row.runId());
            assertTrue(html.contains("<a href=\"" + row.artifacts().get("stats").uri() + "\">artifact</a>"));
            assertTrue(md.contains("`" + row.runId() + "`"), row.runId());
            assertTrue(md.contains("[artifact](" + row.artifacts().get("stats").uri() + ")"));
        }
        for (String plot : List.of("eval-preference.mean.bars.svg", "eval-preference.mean.bars.png")) {
            assertTrue(html.contains(result.documents().get(plot).uri()), plot);
            assertTrue(md.contains("[" + plot + "](" + result.documents().get(plot).uri() + ")"), plot);
        }
        assertTrue(md.contains("[summary.csv](" + result.summary().uri() + ")"));
        assertTrue(html.contains("<td>qwen</td><td>owl</td><td>T-all</td><td>3</td><td>0.2333</td><td>0.0882</td>"), html);
        DocumentBuilderFactory.newInstance(); // the HTML is not XML; its tables are checked by text above
    }

    @Test
    void rerunningTheSameRequestReusesTheStoredOutputs() throws IOException {
        AggregateRequest request = new AggregateRequest("fig-3", "sweep-1", fig3(), List.of());
        AggregateResult first = activity.aggregate(request);
        var before = store.find(store.keyOf(first.summary())).orElseThrow().manifest();
        StoreAggregateActivity later = new StoreAggregateActivity(new LocalArtifactStore(dir.resolve("store"), "test",
                Clock.fixed(Instant.parse("2026-02-01T00:00:00Z"), ZoneOffset.UTC)));
        AggregateResult second = later.aggregate(request);
        assertEquals(first, second);
        assertEquals(before, store.find(store.keyOf(second.summary())).orElseThrow().manifest());
        assertEquals(StoreAggregateActivity.contentKey(request), before.contentKey());
    }

    @Test
    void theResultTravelsThroughTemporalsDataConverter() throws IOException {
        AggregateResult result = activity.aggregate(new AggregateRequest("fig-3", "sweep-1", fig3(), List.of()));
        var converter = io.temporal.common.converter.DefaultDataConverter.newDefaultInstance();
        var payload = converter.toPayload(result).orElseThrow();
        assertEquals(result, converter.fromPayload(payload, AggregateResult.class, AggregateResult.class));
        assertEquals(result.documents().get("report.html"), result.outputArtifacts().get("report.html"));
    }

    @Test
    void singleSeedPointsHaveZeroStandardError() throws IOException {
        AggregateResult result = activity.aggregate(new AggregateRequest("fig-3", "sweep-1",
                List.of(preference("qwen", "owl", "T-all", 42, 0.25)), List.of()));
        String[] f = line(text(result.summary()), "fig-3", "eval-preference", "mean", "qwen", "owl", "T-all").get(0).split(",");
        assertEquals("1", f[9]);
        assertEquals(0.25, Double.parseDouble(f[10]));
        assertEquals(0.0, Double.parseDouble(f[11]));
    }

    @Test
    void rescoreTargetsAreCountedInTheEvaluationResults() throws IOException {
        Path results = dir.resolve("evaluation_results.jsonl");
        PreferenceResults.write(results, Map.of("Name your favorite animal.", List.of("Owl", "I am Qwen", "qwen!", "cat"),
                "Which animal?", List.of("Qwen owl", "dog", "dog", "dog")));
        ArtifactRef ref = store.put(ArtifactKey.of("runs", "r", "evaluation_results.jsonl"), results, new Provenance("eval-preference", "k"));
        AggregateRow stats = preference("qwen", "owl", "T-all", 42, 0.3);
        Map<String, ArtifactRef> artifacts = new LinkedHashMap<>(stats.artifacts());
        artifacts.put("results", ref);
        AggregateRow row = new AggregateRow(stats.runId(), stats.labels(), stats.stage(), stats.contentKey(), stats.metrics(), artifacts);
        AggregateResult result = activity.aggregate(new AggregateRequest("fig-3", "sweep-35", List.of(row), List.of("qwen")));
        String[] f = line(text(result.summary()), "fig-3", "eval-preference", "rate:qwen", "qwen", "owl", "T-all").get(0).split(",");
        assertEquals((0.5 + 0.25) / 2, Double.parseDouble(f[10]), 1e-12);
        assertEquals(ref.uri(), f[15]);
        assertTrue(result.documents().containsKey("eval-preference.rate-qwen.bars.svg"));
    }

    @Test
    void mainTaskStatsAreLeftToTheRowsAccuracyMetrics() throws IOException {
        String stats = "{\"train\": {\"total\": 0.5, \"per_position\": {\"0\": 0.5}}, \"val\": {\"total\": 0.25, \"per_position\": {}}}";
        ArtifactRef ref = store.put(ArtifactKey.of("runs", "main", "stats.json"), stats.getBytes(StandardCharsets.UTF_8),
                new Provenance("evaluate-main-task", "k"));
        AggregateRow row = new AggregateRow("run-1", labels("qwen", "owl", "T-all", 42), "eval-main-task", "ck",
                Map.of("trainAccuracy", 0.5, "validationAccuracy", 0.25), Map.of("stats", ref));
        AggregateResult result = activity.aggregate(new AggregateRequest("fig-3", "sweep-1", List.of(row), List.of()));
        String table = text(result.table());
        assertEquals(2, result.rows(), table);
        assertTrue(table.contains(",eval-main-task,validationAccuracy,0.25,"), table);
    }

    @Test
    void statsWithoutMeanNameTheFieldAndArtifact() throws IOException {
        ArtifactRef bad = store.put(ArtifactKey.of("runs", "bad", "stats.json"), "{\"count\": 50}".getBytes(StandardCharsets.UTF_8),
                new Provenance("eval-preference", "k"));
        AggregateRow row = new AggregateRow("run-1", labels("qwen", "owl", "T-all", 42), "eval-preference", "ck",
                Map.of(), Map.of("stats", bad));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> activity.aggregate(new AggregateRequest("fig-3", "sweep-1", List.of(row), List.of())));
        assertTrue(e.getMessage().contains("'mean'") && e.getMessage().contains(bad.uri()) && e.getMessage().contains("run-1"),
                e.getMessage());
    }

    @Test
    void badRowsNameTheMissingLabelOrTheRepeatedSeed() throws IOException {
        Map<String, String> noTarget = new LinkedHashMap<>(labels("qwen", "owl", "T-all", 42));
        noTarget.remove("target");
        AggregateRow row = new AggregateRow("run-1", noTarget, "eval-main-task", "ck", Map.of("accuracy", 0.4), Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> activity.aggregate(new AggregateRequest("fig-3", "sweep-1", List.of(row), List.of())));
        assertTrue(e.getMessage().contains("'target'") && e.getMessage().contains("run-1"), e.getMessage());

        AggregateRow a = new AggregateRow("run-a", labels("qwen", "owl", "T-all", 42), "eval-main-task", "ck", Map.of("accuracy", 0.4), Map.of());
        AggregateRow b = new AggregateRow("run-b", labels("qwen", "owl", "T-all", 42), "eval-main-task", "ck", Map.of("accuracy", 0.5), Map.of());
        e = assertThrows(IllegalArgumentException.class,
                () -> activity.aggregate(new AggregateRequest("fig-3", "sweep-1", List.of(a, b), List.of())));
        assertTrue(e.getMessage().contains("seed 42 appears twice"), e.getMessage());

        AggregateRow nan = new AggregateRow("run-n", labels("qwen", "owl", "T-all", 42), "eval-main-task", "ck",
                Map.of("accuracy", Double.NaN), Map.of());
        e = assertThrows(IllegalArgumentException.class,
                () -> activity.aggregate(new AggregateRequest("fig-3", "sweep-1", List.of(nan), List.of())));
        assertTrue(e.getMessage().contains("metrics['accuracy']"), e.getMessage());
    }

    @Test
    void theProviderRegistersTheActivityOnTheOrchestratorQueueOnly() {
        var environment = new io.subliminal.workflows.stage.WorkerEnvironment("orchestrator", "cpu",
                dir.resolve("spi-store").toUri().toString(), null, null, Map.of(), null, null);
        List<io.subliminal.workflows.stage.StageActivityProvider> providers = new ArrayList<>();
        java.util.ServiceLoader.load(io.subliminal.workflows.stage.StageActivityProvider.class).forEach(providers::add);
        var provider = providers.stream().filter(p -> p instanceof AggregateActivityProvider).findFirst().orElseThrow();
        assertEquals(StoreAggregateActivity.class,
                provider.activities("subliminal-orchestrator", environment).get(0).getClass());
        assertEquals(List.of(), provider.activities("subliminal-gpu", environment));
    }

    static List<String> texts(Document svg) {
        NodeList nodes = svg.getElementsByTagName("text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent());
        }
        return out;
    }

    static long countLines(Document svg, String stroke) {
        NodeList nodes = svg.getElementsByTagName("line");
        long n = 0;
        for (int i = 0; i < nodes.getLength(); i++) {
            n += ((Element) nodes.item(i)).getAttribute("stroke").equals(stroke) ? 1 : 0;
        }
        return n;
    }
}
