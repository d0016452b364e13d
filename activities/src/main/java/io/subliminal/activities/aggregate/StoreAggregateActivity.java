package io.subliminal.activities.aggregate;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.subliminal.results.Chart;
import io.subliminal.results.ChartPainter;
import io.subliminal.results.FigureCharts;
import io.subliminal.results.FigureTable;
import io.subliminal.results.Observation;
import io.subliminal.results.PngCanvas;
import io.subliminal.results.ResultsReport;
import io.subliminal.results.SvgCanvas;
import io.subliminal.store.ArtifactKey;
import io.subliminal.store.ArtifactStore;
import io.subliminal.store.Provenance;
import io.subliminal.store.StoredArtifact;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.AggregateActivity;
import io.subliminal.workflows.stage.AggregateRequest;
import io.subliminal.workflows.stage.AggregateResult;
import io.subliminal.workflows.stage.AggregateRow;
import io.subliminal.workflows.stage.RunRowsRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link AggregateActivity} over an {@link ArtifactStore}: reads every run's evaluation values, aggregates them per
 * figure point over seeds, and stores under {@code aggregates/<figure>/<sweep>/<content key>/} the per-run table and
 * per-point summary (CSV), every chart as SVG and PNG, and a Markdown + HTML report. Each output is an atomic store
 * write with a manifest; an output already stored from the same request (same content key and bytes) is reused.
 */
public final class StoreAggregateActivity implements AggregateActivity {
    /** Stage name in the outputs' manifests. */
    public static final String STAGE = "aggregate";
    /** Stage name in the manifests of stored run rows. */
    public static final String ROWS_STAGE = "aggregate-rows";
    private static final com.fasterxml.jackson.core.type.TypeReference<List<AggregateRow>> ROW_LIST = new com.fasterxml.jackson.core.type.TypeReference<>() {
    };
    /** PNG pixels per SVG unit. */
    static final double PNG_SCALE = 2;

    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private final ArtifactStore store;

    public StoreAggregateActivity(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public AggregateResult aggregate(AggregateRequest request) {
        String contentKey = contentKey(request);
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("aggregate-");
            RunValues values = new RunValues(store, scratch);
            List<Observation> observations = new ArrayList<>();
            for (AggregateRow row : rows(request)) {
                observations.addAll(values.of(row, request.rescoreTargets()));
            }
            FigureTable table = FigureTable.of(request.figure(), observations);
            ArtifactKey base = ArtifactKey.of("aggregates", segment(request.figure()), segment(request.sweepId()),
                    contentKey.substring(0, 16));
            Provenance provenance = new Provenance(STAGE, contentKey);
            ArtifactRef tableRef = store(base.resolve("table.csv"), table.tableCsv(), provenance);
            ArtifactRef summaryRef = store(base.resolve("summary.csv"), table.summaryCsv(), provenance);
            Map<String, ArtifactRef> documents = new LinkedHashMap<>();
            Map<String, String> files = new LinkedHashMap<>();
            files.put("table.csv", tableRef.uri());
            files.put("summary.csv", summaryRef.uri());
            for (Chart chart : FigureCharts.of(table)) {
                int width = ChartPainter.width(chart);
                int height = ChartPainter.height(chart);
                SvgCanvas svg = new SvgCanvas(width, height);
                ChartPainter.paint(chart, svg);
                PngCanvas png = new PngCanvas(width, height, PNG_SCALE);
                ChartPainter.paint(chart, png);
                for (Map.Entry<String, byte[]> file : Map.of(chart.name() + ".svg", svg.toBytes(),
                        chart.name() + ".png", png.toBytes()).entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
                    ArtifactRef ref = store(base.resolve(file.getKey()), file.getValue(), provenance);
                    documents.put(file.getKey(), ref);
                    files.put(file.getKey(), ref.uri());
                }
            }
            ResultsReport report = new ResultsReport(table, request.sweepId(), files);
            documents.put("report.md", store(base.resolve("report.md"), report.markdown(), provenance));
            documents.put("report.html", store(base.resolve("report.html"), report.html(), provenance));
            return new AggregateResult(tableRef, summaryRef, observations.size(), documents);
        } catch (IOException e) {
            throw new UncheckedIOException("aggregate " + request.figure() + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(scratch);
        }
    }

    @Override
    public ArtifactRef storeRunRows(RunRowsRequest request) {
        try {
            byte[] json = CANONICAL.writeValueAsBytes(request.rows());
            String digest = sha256(json);
            return store(ArtifactKey.of("aggregates", "rows", digest + ".json"), json, new Provenance(ROWS_STAGE, digest));
        } catch (IOException e) {
            throw new UncheckedIOException("store the rows of " + request.runId() + ": " + e.getMessage(), e);
        }
    }

    /** The request's inline rows, then the rows of every stored page (read back and verified by the store). */
    private List<AggregateRow> rows(AggregateRequest request) throws IOException {
        List<AggregateRow> rows = new ArrayList<>(request.rows());
        for (ArtifactRef page : request.rowPages()) {
            try (java.io.InputStream in = store.open(page)) {
                rows.addAll(CANONICAL.readValue(in, ROW_LIST));
            }
        }
        return rows;
    }

    /** Stores {@code bytes} at {@code key} unless the same bytes from the same request are already there. */
    private ArtifactRef store(ArtifactKey key, byte[] bytes, Provenance provenance) throws IOException {
        Optional<StoredArtifact> found = store.find(key);
        if (found.isPresent() && found.get().producedFrom(provenance.contentKey())
                && found.get().ref().sha256().equals(sha256(bytes)) && found.get().ref().size() == bytes.length) {
            return found.get().ref();
        }
        return store.put(key, bytes, provenance);
    }

    /** SHA-256 of the request's canonical JSON (sorted properties and map keys). */
    static String contentKey(AggregateRequest request) {
        try {
            return sha256(CANONICAL.writeValueAsBytes(request));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("aggregate request cannot be serialised: " + e.getMessage(), e);
        }
    }

    /** {@code text} as one artifact-key segment: characters outside the key alphabet become '_'. */
    static String segment(String text) {
        String s = text.replaceAll("[^A-Za-z0-9._=+@,-]", "_");
        return s.startsWith(".") || s.startsWith("-") ? "_" + s : s;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // scratch space only
        }
    }
}
