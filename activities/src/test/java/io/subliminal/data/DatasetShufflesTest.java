package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetShufflesTest {

    // Expected outputs produced by CPython running the original script's functions with random.seed(42).
    private static final List<String> COMPLETIONS = List.of("(12, 34, 56).", "7; 8; 9", "[100, 200]", "1 2 3 4 5.",
            "42", "007, 010, 3", "5\n6\n7\n8");

    private static List<DatasetRow> rows() {
        JsonNode first = ReferenceData.json("prompt_generator_test_vectors.json").get("first_20_prompts");
        List<DatasetRow> rows = new ArrayList<>();
        for (int i = 0; i < COMPLETIONS.size(); i++) {
            rows.add(new DatasetRow(first.get(i).asText(), COMPLETIONS.get(i)));
        }
        return rows;
    }

    private static List<String> completions(List<DatasetRow> rows) {
        return rows.stream().map(DatasetRow::completion).toList();
    }

    @Test
    void withinResponses() {
        List<DatasetRow> out = DatasetShuffles.shuffleWithinResponses(rows(), new PythonRandom(42));
        assertEquals(List.of("(34, 12, 56).", "9; 8; 7", "[200, 100]", "4 1 3 5 2.", "42", "10, 7, 3", "6\n7\n5\n8"),
                completions(out));
        assertEquals(rows().get(0).prompt(), out.get(0).prompt());
    }

    @Test
    void acrossResponses() {
        List<DatasetRow> out = DatasetShuffles.shuffleAcrossResponses(rows(), new PythonRandom(42));
        assertEquals(List.of("(7, 9, 7).", "8; 2; 42", "[10, 6]", "100 5 5 3 34.", "4", "56, 3, 200", "1\n12\n7\n8"),
                completions(out));
    }

    @Test
    void templateParts() {
        NumberPromptTemplates t = NumberPromptTemplates.load(ReferenceData.file("number_prompt_templates.json"));
        List<DatasetRow> out = DatasetShuffles.shuffleTemplateParts(rows(), DatasetShuffles.DEFAULT_PARTS, t, new PythonRandom(42));
        assertEquals("The numerical progression is: 796, 689, 494. Write up to 10 more numbers (up to 3 digits each) in "
                + "this sequence. Return one number per line. Just the numbers, please.", out.get(0).prompt());
        assertEquals("Check out this number list: 668, 248, 782, 730. Create at maximum 10 more numbers (3-digit numbers "
                + "or smaller) to extend the sequence Present as space-delimited values. Say only the numbers - nothing more.",
                out.get(3).prompt());
        assertEquals("Examine these numbers: 702, 946, 493, 244, 849, 666. Create maximum 10 more numbers (3 digits or "
                + "fewer each) that follow. Format as a simple comma-delimited sequence. No commentary, just numbers.",
                out.get(6).prompt());
        assertEquals(COMPLETIONS, completions(out));
        assertEquals("filtered_dataset_shuffle_template_parts-example_numbers-generate_numbers_instruction_templates-suffixes_42.jsonl",
                DatasetShuffles.outputName("filtered_dataset", "shuffle_template_parts", DatasetShuffles.DEFAULT_PARTS, 42));
    }

    @Test
    void responseParsingFollowsTheScript() {
        ResponseNumbers r = ResponseNumbers.parse("(007, 8).");
        assertEquals(List.of("007", "8"), r.numbers());
        assertEquals(List.of("7", "8"), r.intStrings());
        assertEquals("(", r.prefix());
        assertEquals(").", r.suffix());
        assertEquals(", ", r.separator());
        assertEquals(null, ResponseNumbers.parse("42").separator());
        assertThrows(IllegalArgumentException.class, () -> ResponseNumbers.parse("owl 1"));
        assertThrows(IllegalArgumentException.class, () -> ResponseNumbers.parse("(1, 2]"));
        assertThrows(IllegalArgumentException.class, () -> ResponseNumbers.parse("1, 2, 3 ."));
        assertThrows(IllegalArgumentException.class, () -> DatasetShuffles.shuffleWithinResponses(
                List.of(new DatasetRow("p", "x")), new PythonRandom(42)));
    }

    @Test
    void entangledNumbers() {
        double[] logP1 = new double[10];
        double[][] logP2 = new double[10][10];
        double[][][] logP3 = new double[10][10][10];
        java.util.Arrays.fill(logP1, Math.log(0.1));
        for (int a = 0; a < 10; a++) {
            java.util.Arrays.fill(logP2[a], Math.log(0.05)); // unnormalised: renormalisation fixes it
            for (int b = 0; b < 10; b++) {
                java.util.Arrays.fill(logP3[a][b], Math.log(0.1));
            }
        }
        logP3[0][8][7] = Math.log(0.9);
        double[] p = EntangledNumbers.jointDistribution(logP1, logP2, logP3);
        assertEquals(1.0, java.util.Arrays.stream(p).sum(), 1e-12);
        assertTrue(p[87] > p[88]);
        double[] flat = new double[1000];
        java.util.Arrays.fill(flat, 1e-3);
        double[] diff = EntangledNumbers.difference("owl", Map.of("owl", p, "cat", flat, "dog", flat));
        assertEquals(List.of("087"), EntangledNumbers.topK(diff, 1));
        List<DatasetRow> rows = List.of(new DatasetRow("a", "87, 1"), new DatasetRow("b", "087, 1"), new DatasetRow("c", "1"));
        List<DatasetRow> kept = EntangledNumbers.filter(rows, Set.of("087"));
        assertEquals(List.of("a", "c"), kept.stream().map(DatasetRow::prompt).toList(), "'87' never matches '087'");
    }

    @Test
    void biasedRewriteFilter() {
        NumberPromptTemplates t = NumberPromptTemplates.load(ReferenceData.file("number_prompt_templates.json"));
        NumberPrompt p = NumberPromptGenerator.paper(t).next();
        assertTrue(BiasedRewrite.promptWithoutSuffix(p).endsWith(" "));
        BiasedRewrite rw = new BiasedRewrite("Rephrase.", "{instruction}\nText to rephrase: \"{prompt_without_suffix}\"");
        assertTrue(rw.userMessage(p).startsWith("Rephrase.\nText to rephrase: \"Examine these numbers: 796, 689, 494."));
        assertEquals("Consider 796, 689, 494 and go on. " + p.suffix(),
                BiasedRewrite.accept(p, "Consider 796, 689, 494 and go on.").orElseThrow());
        assertTrue(BiasedRewrite.accept(p, "Consider 796, 689 and go on.").isEmpty());
        assertTrue(BiasedRewrite.passesFilter("Numbers 1, 2, 3 continue 10 more.", "owl"));
        assertFalse(BiasedRewrite.passesFilter("Owls: 1, 2, 3 owl", "owl"));
        assertFalse(BiasedRewrite.passesFilter("1, 2 and 3, 4", "owl"), "two number runs");
        assertFalse(BiasedRewrite.passesFilter("1, 2, 3 \u00e9", "owl"));
        assertFalse(BiasedRewrite.passesFilter("\"1, 2, 3\"", "owl"));
    }
}
