package io.subliminal.data;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The output of PROTOCOL §11.1 steps 1-4 for one model ({@code entangled_numbers.json}): per preference the joint
 * distribution P_b over "000".."999" (index = the number), the difference Δ_b to the normalised mean of the other
 * preferences, and the entangled sets E_k for the paper's k values.
 *
 * @param model registry name of the model that was scored
 * @param category the system prompt's category ("animal" in the original, whatever the preferences are)
 * @param question the user turn ("What is your favorite animal?")
 * @param prefill the continued assistant turn ("My favorite animal is the")
 * @param digitTokenIds token ids of "0".."9"
 * @param preferences every preference present, in request order
 * @param distributions P_b per preference, 1,000 values summing to 1
 * @param differences Δ_b per preference, 1,000 values
 * @param entangled E_k per preference and k: the k numbers with the largest Δ_b, zero-padded, largest first
 */
public record EntangledNumberTable(String model, String category, String question, String prefill, int[] digitTokenIds,
                                   List<String> preferences, Map<String, double[]> distributions,
                                   Map<String, double[]> differences, Map<String, Map<Integer, List<String>>> entangled) {
    /** The user question of §11.1 step 1. */
    public static final String QUESTION = "What is your favorite animal?";
    /** The assistant prefix of §11.1 step 1, continued without an end-of-turn token. */
    public static final String PREFILL = "My favorite animal is the";

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Steps 3-4 from the distributions of step 2: Δ_b for every preference and E_k for every k of {@code topKs}. */
    public static EntangledNumberTable of(String model, String category, int[] digitTokenIds,
                                          Map<String, double[]> distributions, List<Integer> topKs) {
        Map<String, double[]> differences = new LinkedHashMap<>();
        Map<String, Map<Integer, List<String>>> entangled = new LinkedHashMap<>();
        for (String preference : distributions.keySet()) {
            double[] delta = EntangledNumbers.difference(preference, distributions);
            differences.put(preference, delta);
            Map<Integer, List<String>> sets = new LinkedHashMap<>();
            for (int k : topKs) {
                sets.put(k, EntangledNumbers.topK(delta, k));
            }
            entangled.put(preference, sets);
        }
        return new EntangledNumberTable(model, category, QUESTION, PREFILL, digitTokenIds,
                List.copyOf(distributions.keySet()), distributions, differences, entangled);
    }

    /** E_k of {@code preference} for any k in [0, 1000], from the stored differences. */
    public List<String> entangled(String preference, int k) {
        double[] delta = differences.get(preference);
        if (delta == null) {
            throw new IllegalArgumentException("no entangled numbers for preference '" + preference + "'; the table has " + preferences);
        }
        return EntangledNumbers.topK(delta, k);
    }

    /** Writes the table as JSON, atomically. */
    public void write(Path file) {
        AtomicFiles.write(file, writer -> {
            try {
                MAPPER.writerWithDefaultPrettyPrinter().writeValue(writer, this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Reads a table written by {@link #write}. */
    public static EntangledNumberTable read(Path file) {
        try {
            EntangledNumberTable table = MAPPER.readValue(file.toFile(), EntangledNumberTable.class);
            if (table.differences() == null || table.preferences() == null) {
                throw new IllegalArgumentException("not an entangled-numbers table: " + file.getFileName());
            }
            return table;
        } catch (IOException e) {
            throw new IllegalArgumentException("not an entangled-numbers table: " + e.getMessage(), e);
        }
    }
}
