package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FinetuneDatasetTest {

    private static final JsonNode VECTORS = ReferenceData.json("python_random_sample_test_vectors.json").get("vectors");

    private static List<DatasetRow> rows(int n, String tag, boolean marked) {
        List<DatasetRow> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(new DatasetRow(tag + i, "1, 2", marked ? (i % 3 == 0 ? List.of() : List.of(i % 7)) : null));
        }
        return rows;
    }

    private static String hash(int[] idx) {
        return ReferenceData.sha256(Arrays.stream(idx).mapToObj(Integer::toString).collect(Collectors.joining(",")));
    }

    private static JsonNode vector(int n, int k, int seed) {
        for (JsonNode v : VECTORS) {
            if (v.get("N").asInt() == n && v.get("k").asInt() == k && v.get("seed").asInt() == seed) {
                return v;
            }
        }
        throw new IllegalStateException("no vector " + n + "/" + k + "/" + seed);
    }

    @Test
    void subsampleMatchesPythonForAllPaperSeeds() {
        List<DatasetRow> input = rows(27_000, "r", false);
        for (int seed = 42; seed <= 46; seed++) {
            FinetuneDataset d = FinetuneDataset.assemble("x/filtered_dataset.jsonl", input, 10_000, false, seed, null);
            assertEquals(vector(27_000, 10_000, seed).get("sha256_of_indices_joined_by_comma").asText(), hash(d.trainIndices()));
            assertEquals(10_000, d.rows().size());
            assertEquals("r" + d.trainIndices()[0], d.rows().get(0).prompt());
            assertEquals(10_000, d.maxDatasetSize());
            assertNull(d.decisionPoints());
        }
    }

    @Test
    void mixInReplacesTheLastRows() {
        List<DatasetRow> input = rows(27_000, "r", false);
        MixIn mix = new MixIn("EXP/qwen/control/seed-42/filtered_dataset.jsonl", rows(27_000, "m", false), 1000);
        FinetuneDataset d = FinetuneDataset.assemble("x/filtered_dataset.jsonl", input, 10_000, false, 42, mix);
        assertEquals(vector(27_000, 1000, 42).get("sha256_of_indices_joined_by_comma").asText(), hash(d.mixinIndices()));
        assertEquals(10_000, d.rows().size());
        assertEquals("r" + d.trainIndices()[8999], d.rows().get(8999).prompt());
        assertEquals("m" + d.mixinIndices()[0], d.rows().get(9000).prompt());
        assertEquals(List.of("dataset_path", "max_dataset_size", "mixin", "train_indices"),
                new ArrayList<>(d.datasetConfig().keySet()));
        assertThrows(IllegalArgumentException.class, () -> new MixIn("p", rows(3, "m", false), 0));
    }

    @Test
    void markedRowsWithoutDivergenceAreDroppedAfterSubsampling() {
        List<DatasetRow> input = rows(28_500, "r", true);
        FinetuneDataset d = FinetuneDataset.assemble("x/filtered_dataset_dpoints_only.jsonl", input, 10_000, false, 44, null);
        assertEquals(vector(28_500, 10_000, 44).get("sha256_of_indices_joined_by_comma").asText(), hash(d.trainIndices()));
        long expected = Arrays.stream(d.trainIndices()).filter(i -> i % 3 != 0).count();
        assertEquals(expected, d.rows().size());
        assertEquals(expected, d.maxDatasetSize());
        assertEquals((int) expected, d.datasetConfig().get("max_dataset_size"));
        assertTrue(d.decisionPoints().stream().noneMatch(List::isEmpty));
        assertTrue(d.datasetConfigJson().startsWith("{\n    \"dataset_path\": \"x/filtered_dataset_dpoints_only.jsonl\",\n"
                + "    \"max_dataset_size\": " + expected + ",\n    \"train_indices\": [\n        "));
    }

    @Test
    void smallDatasetsUseAllRowsInOrder() {
        FinetuneDataset d = FinetuneDataset.assemble("x.jsonl", rows(5, "r", false), 10_000, false, 42, null);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, d.trainIndices());
        assertEquals(5, d.maxDatasetSize());
        assertThrows(IllegalArgumentException.class, () -> FinetuneDataset.assemble("x.jsonl", List.of(), 10, false, 42, null));
    }

    @Test
    void lossMasks() {
        int[] cm = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
        // first = 3; d = 0 -> 6, d = 2 -> 8, d = 9 -> 15 (outside, ignored)
        PythonRandom r = new PythonRandom(0);
        assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0}, DecisionPointMask.DIV_ONLY.apply(cm, List.of(0, 2, 9), r));
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1}, DecisionPointMask.INVERSE.apply(cm, List.of(0, 2, 9), r));
        assertThrows(IllegalArgumentException.class, () -> DecisionPointMask.DIV_ONLY.apply(new int[] {0, 0}, List.of(0), r));
    }

    @Test
    void ratioThenSubsetMatchesPython() {
        // CPython: r = random.Random(1); sorted(r.sample([2,5,9,11,20], 3)) == [2, 5, 20]; r.choice([1, 2]) == 1
        DecisionPointMask m = new DecisionPointMask(false, 0.6, DecisionPointMask.Subset.SECOND_HALF);
        assertEquals(List.of(5, 20), m.select(List.of(2, 5, 9, 11, 20), new PythonRandom(1)));
        DecisionPointMask f = new DecisionPointMask(false, 0.6, DecisionPointMask.Subset.FIRST_HALF);
        assertEquals(List.of(2), f.select(List.of(2, 5, 9, 11, 20), new PythonRandom(1)));
        DecisionPointMask first = new DecisionPointMask(true, null, DecisionPointMask.Subset.FIRST_ONLY);
        assertEquals(List.of(4), first.select(List.of(4, 6), new PythonRandom(1)));
        assertEquals(List.of(6), first.select(List.of(6), new PythonRandom(1)), "single positions stay");
        DecisionPointMask tinyRatio = new DecisionPointMask(false, 0.1, null);
        assertEquals(List.of(1, 2, 3), tinyRatio.select(List.of(1, 2, 3), new PythonRandom(1)), "k = 0 keeps D whole");
        DecisionPointMask even = new DecisionPointMask(false, null, DecisionPointMask.Subset.SECOND_HALF);
        assertEquals(List.of(3, 4), even.select(List.of(1, 2, 3, 4), new PythonRandom(1)));
    }
}
