package io.subliminal.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FigureTableTest {

    static Observation value(String condition, String seed, Map<String, String> extra, double v) {
        java.util.Map<String, String> labels = new java.util.HashMap<>(Map.of("figure", "fig-9", "model", "qwen",
                "target", "owl", "condition", condition, "seed", seed));
        labels.putAll(extra);
        return new Observation("run-" + condition + "-" + seed, labels, "eval-preference", "mean", v, "file:///s/" + seed);
    }

    @Test
    void explicitAxisLabelsBecomeColumnsAndTheXValue() {
        FigureTable table = FigureTable.of("fig-9", List.of(value("T-rank", "42", Map.of("rank", "4"), 0.1),
                value("T-rank", "43", Map.of("rank", "4"), 0.3), value("T-rank", "42", Map.of("rank", "16"), 0.5)));
        assertEquals(List.of("rank"), table.axisLabelNames());
        assertEquals(2, table.points().size());
        FigurePoint rank4 = table.points().get(0);
        assertEquals(new SweptAxis("T-rank", "rank", 4), rank4.axis());
        assertEquals(0.2, rank4.stats().mean(), 1e-15);
        String csv = new String(table.tableCsv(), StandardCharsets.UTF_8);
        assertTrue(csv.startsWith("figure,run_id,model,target,condition,seed,rank,stage,metric,value,source\n"), csv);
        assertEquals(2, FigureCharts.of(table).size(), "bars and a line over rank");
        assertEquals(Chart.Kind.LINES, FigureCharts.of(table).get(1).kind());
    }

    @Test
    void csvFieldsWithCommasAndQuotesAreQuoted() {
        FigureTable table = FigureTable.of("fig-9", List.of(value("sys \"Qwen, Alibaba\"", "42", Map.of(), 0.1)));
        String summary = new String(table.summaryCsv(), StandardCharsets.UTF_8);
        assertTrue(summary.contains(",\"sys \"\"Qwen, Alibaba\"\"\",\"sys \"\"Qwen, Alibaba\"\"\",,,1,0.1,0.0,0.0,42,"), summary);
    }

    @Test
    void aRunOfAnotherFigureIsRejected() {
        Observation other = new Observation("run-x", Map.of("figure", "fig-3", "model", "qwen", "target", "owl",
                "condition", "T-all", "seed", "42"), "eval-preference", "mean", 0.1, "");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FigureTable.of("fig-9", List.of(other)));
        assertTrue(e.getMessage().contains("run-x") && e.getMessage().contains("figure"), e.getMessage());
    }

    @Test
    void aNonNumericAxisLabelIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FigureTable.of("fig-9", List.of(value("T-rank", "42", Map.of("rank", "big"), 0.1))));
        assertTrue(e.getMessage().contains("'rank'") && e.getMessage().contains("big"), e.getMessage());
    }
}
