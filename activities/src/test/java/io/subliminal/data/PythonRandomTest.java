package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PythonRandomTest {

    @Test
    void sampleMatchesCpythonVectors() {
        JsonNode vectors = ReferenceData.json("python_random_sample_test_vectors.json").get("vectors");
        assertEquals(12, vectors.size());
        for (JsonNode v : vectors) {
            int n = v.get("N").asInt();
            int k = v.get("k").asInt();
            int[] idx = new PythonRandom(v.get("seed").asLong()).sampleRange(n, k);
            String label = "N=" + n + " k=" + k + " seed=" + v.get("seed").asLong();
            for (int i = 0; i < 10; i++) {
                assertEquals(v.get("first_10").get(i).asInt(), idx[i], label + " index " + i);
            }
            String joined = Arrays.stream(idx).mapToObj(Integer::toString).collect(Collectors.joining(","));
            assertEquals(v.get("sha256_of_indices_joined_by_comma").asText(), ReferenceData.sha256(joined), label);
        }
    }

    @Test
    void setSizeSwitchFollowsCpython() {
        assertEquals(21 + 65536, PythonRandom.setSize(10_000));
        assertEquals(21 + 4096, PythonRandom.setSize(1000));
        assertEquals(21 + 16384, PythonRandom.setSize(2500));
        assertEquals(21, PythonRandom.setSize(5));
    }

    @Test
    void knownCpythonOutputs() {
        // CPython: random.Random(42).random() == 0.6394267984578837; getrandbits(32) after seed 42 == 2746317213
        assertEquals(0.6394267984578837, new PythonRandom(42).random());
        assertEquals(2746317213L, new PythonRandom(42).getrandbits(32));
        // random.Random(0).random() == 0.8444218515250481
        assertEquals(0.8444218515250481, new PythonRandom(0).random());
    }

    @Test
    void shuffleAndChoiceAreConsistentWithRandbelow() {
        PythonRandom a = new PythonRandom(7);
        PythonRandom b = new PythonRandom(7);
        List<Integer> x = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
        a.shuffle(x);
        List<Integer> y = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
        for (int i = 5; i >= 1; i--) {
            int j = (int) b.randbelow(i + 1);
            Integer t = y.get(i);
            y.set(i, y.get(j));
            y.set(j, t);
        }
        assertEquals(y, x);
        assertEquals(List.of(0, 1, 2, 3, 4, 5), x.stream().sorted().toList());
        assertEquals(a.randbelow(3), List.of(0L, 1L, 2L).get((int) b.randbelow(3)));
        assertThrows(IndexOutOfBoundsException.class, () -> a.choice(List.of()));
        assertThrows(IllegalArgumentException.class, () -> a.sample(List.of(1, 2), 3));
    }
}
