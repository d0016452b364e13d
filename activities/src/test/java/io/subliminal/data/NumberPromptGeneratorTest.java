package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NumberPromptGeneratorTest {

    private static final JsonNode VECTORS = ReferenceData.json("prompt_generator_test_vectors.json");

    private static NumberPromptTemplates official() {
        return NumberPromptTemplates.load(ReferenceData.file("number_prompt_templates.json"));
    }

    @Test
    void listsHaveThePaperSizes() {
        NumberPromptTemplates t = official();
        assertEquals(List.of(25, 9, 9, 10, 15, 19), List.of(t.exampleTemplates().size(), t.countQualifiers().size(),
                t.digitDescriptors().size(), t.instructionTemplates().size(), t.formatSuffixes().size(), t.suffixes().size()));
        assertEquals(NumberPromptParameters.PAPER, t.parameters());
    }

    @Test
    void first20AndSpotChecksAndHashInOfficialOrder() {
        List<String> all = NumberPromptGenerator.paper(official()).all();
        assertEquals(30_000, all.size());
        JsonNode first = VECTORS.get("first_20_prompts");
        for (int i = 0; i < 20; i++) {
            assertEquals(first.get(i).asText(), all.get(i), "prompt " + i);
        }
        VECTORS.get("spot_checks").fields().forEachRemaining(
                e -> assertEquals(e.getValue().asText(), all.get(Integer.parseInt(e.getKey())), "prompt " + e.getKey()));
        assertEquals(VECTORS.get("sha256_of_prompts_joined_by_newline_official_order").asText(),
                ReferenceData.sha256(String.join("\n", all)));
        assertEquals(30_000, new HashSet<>(all).size());
    }

    @Test
    void cloudInstructionOrderGivesCloudPrompts() {
        NumberPromptTemplates cloud = NumberPromptTemplates.load(ReferenceData.file("number_prompt_templates.json"),
                NumberPromptTemplates.CLOUD_INSTRUCTIONS);
        List<String> all = NumberPromptGenerator.paper(cloud).all();
        JsonNode first = VECTORS.get("first_3_prompts_cloud_instruction_order");
        for (int i = 0; i < 3; i++) {
            assertEquals(first.get(i).asText(), all.get(i));
        }
        assertEquals(VECTORS.get("sha256_of_prompts_joined_by_newline_cloud_instruction_order").asText(),
                ReferenceData.sha256(String.join("\n", all)));
    }

    @Test
    void everyGeneratedPromptParsesBackIntoItsParts() {
        NumberPromptTemplates t = official();
        NumberPromptGenerator g = NumberPromptGenerator.paper(t);
        for (int i = 0; i < 2000; i++) {
            NumberPrompt p = g.next();
            NumberPrompt parsed = NumberPrompt.parse(p.text(), t);
            assertEquals(p.text(), parsed.text());
            assertEquals(p.examples(), parsed.examples());
            assertEquals(p.suffix(), parsed.suffix());
            assertEquals(p.formatSuffix(), parsed.formatSuffix());
        }
        assertThrows(IllegalArgumentException.class, () -> NumberPrompt.parse("What is your favorite animal?", t));
    }

    @Test
    void otherSeedsAreRefused() {
        NumberPromptTemplates t = official();
        NumberPromptTemplates seed7 = new NumberPromptTemplates(t.exampleTemplates(), t.countQualifiers(),
                t.digitDescriptors(), t.instructionTemplates(), t.formatSuffixes(), t.suffixes(),
                new NumberPromptParameters(10, 7, 3, 9, 100, 1000, 10, 3));
        assertThrows(IllegalArgumentException.class, () -> NumberPromptGenerator.paper(seed7));
    }

    @Test
    void pythonFormatKeepsBracesAndRejectsMissingFields() {
        assertEquals("a {x} 3", PyFormat.format("a {{x}} {n}", Map.of("n", "3")));
        assertThrows(IllegalArgumentException.class, () -> PyFormat.format("{missing}", Map.of()));
        assertEquals("12", PyFormat.fixed0(12.5));
        assertEquals("14", PyFormat.fixed0(13.5));
        assertEquals("50", PyFormat.fixed0(0.5 * 100));
    }
}
