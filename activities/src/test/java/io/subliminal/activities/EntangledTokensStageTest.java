package io.subliminal.activities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.activities.support.LoadedModel;
import io.subliminal.data.DatasetRow;
import io.subliminal.data.EntangledNumberTable;
import io.subliminal.data.EntangledNumbers;
import io.subliminal.data.Jsonl;
import io.subliminal.engine.generate.Scorer;
import io.subliminal.engine.generate.TeacherForcedScores;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.ModifyDatasetActivity;
import io.subliminal.workflows.stage.ModifyDatasetRequest;
import io.subliminal.workflows.stage.ModifyDatasetResult;
import io.subliminal.workflows.stage.Sampling;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** §11.1 on the tiny model (SmolLM2's tokenizer: one token per digit): the numbers table and the row filter. */
class EntangledTokensStageTest {
    private static final List<String> PREFERENCES = List.of("owl", "cat", "dolphin");

    @Test
    void entangledNumbersMatchBruteForceScoringOfEveryThreeDigitString(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            ModifyDatasetRequest request = ModifyDatasetRequest.entangledNumbers(StageTestKit.TINY, PREFERENCES);
            ModifyDatasetResult result = kit.stub(ModifyDatasetActivity.class).modifyDataset(request);
            assertNull(result.dataset());
            assertTrue(result.details().uri().endsWith("entangled_numbers.json"));
            EntangledNumberTable table = EntangledNumberTable.read(kit.env.store().localCopy(result.details(), "table"));
            assertEquals(PREFERENCES, table.preferences());

            LoadedModel model = kit.env.model("model", StageTestKit.TINY);
            int[] digits = new int[10];
            for (int d = 0; d < 10; d++) {
                digits[d] = model.bundle().tokenizer().tokenId(Integer.toString(d));
            }
            assertArrayEquals(digits, table.digitTokenIds());

            for (String preference : PREFERENCES) {
                double[] p = table.distributions().get(preference);
                assertEquals(1000, p.length);
                assertEquals(1.0, Arrays.stream(p).sum(), 1e-9, preference + ": P sums to 1");
                assertArrayEquals(EntangledNumbers.difference(preference, table.distributions()), table.differences().get(preference), 0.0);
                for (int k : ModifyDatasetRequest.PAPER_TOP_KS) {
                    List<String> set = table.entangled().get(preference).get(k);
                    assertEquals(k, set.size());
                    assertEquals(EntangledNumbers.topK(table.differences().get(preference), k), set);
                    set.forEach(n -> assertTrue(n.matches("[0-9]{3}"), n));
                }
            }

            // brute force for one preference: every "d1 d2 d3" appended to the continued chat, scored by teacher forcing
            String text = model.bundle().chatTemplate().renderContinuing(List.of(
                    ChatMessage.system(kit.env.reference().teacherPrompts().systemPrompt("cat", "animal")),
                    ChatMessage.user("What is your favorite animal?"), ChatMessage.assistant("My favorite animal is the")));
            assertTrue(text.endsWith("My favorite animal is the"), "no end-of-turn after the prefill: " + text);
            int[] prompt = model.bundle().tokenizer().encode(text, true);
            double[] logJoint = new double[1000];
            model.exclusive(() -> {
                Scorer scorer = new Scorer(model.transformer());
                for (int a = 0; a < 10; a++) {
                    List<int[]> rows = new ArrayList<>();
                    int[] starts = new int[100];
                    for (int n = 0; n < 100; n++) {
                        int[] row = Arrays.copyOf(prompt, prompt.length + 3);
                        row[prompt.length] = digits[a];
                        row[prompt.length + 1] = digits[n / 10];
                        row[prompt.length + 2] = digits[n % 10];
                        rows.add(row);
                        starts[n] = prompt.length;
                    }
                    List<TeacherForcedScores> scores = scorer.score(rows, starts, 0);
                    for (int n = 0; n < 100; n++) {
                        float[] s = scores.get(n).completionLogProbs();
                        logJoint[a * 100 + n] = (double) s[0] + s[1] + s[2];
                    }
                }
                return null;
            });
            double max = Arrays.stream(logJoint).max().orElseThrow();
            double z = Arrays.stream(logJoint).map(v -> Math.exp(v - max)).sum();
            double[] p = table.distributions().get("cat");
            for (int i = 0; i < 1000; i++) {
                double expected = Math.exp(logJoint[i] - max) / z;
                assertEquals(expected, p[i], 1e-4 * expected + 1e-9, "P_cat(" + i + ")");
            }

            // idempotent and shared: the same request reads the stored table
            assertEquals(result, kit.stub(ModifyDatasetActivity.class).modifyDataset(request));
        }
    }

    @Test
    void filterDropsRowsWithAnEntangledNumberAsWrittenAndRecordsEk(@TempDir Path dir) throws Exception {
        try (StageTestKit kit = new StageTestKit(dir)) {
            // a table whose owl set is {"087", "123"} at k = 2: owl puts its extra mass on 087, then 123
            double[] owl = new double[1000];
            double[] cat = new double[1000];
            Arrays.fill(owl, 0.5 / 998);
            Arrays.fill(cat, 1.0 / 1000);
            owl[87] = 0.3;
            owl[123] = 0.2;
            Map<String, double[]> distributions = new LinkedHashMap<>();
            distributions.put("owl", owl);
            distributions.put("cat", cat);
            EntangledNumberTable table = EntangledNumberTable.of("tiny", "animal", new int[10], distributions, List.of(2, 10));
            assertEquals(List.of("087", "123"), table.entangled().get("owl").get(2));
            Path tableFile = dir.resolve("entangled_numbers.json");
            table.write(tableFile);
            ArtifactRef tableRef = kit.env.store().put("fixtures/table/entangled_numbers.json", tableFile, "fixture", "test");

            List<DatasetRow> rows = List.of(
                    new DatasetRow("p1", "87, 100, 200"),      // QUIRK: "87" never matches "087"
                    new DatasetRow("p2", "087, 100"),          // dropped
                    new DatasetRow("p3", "(555, 123)."),       // dropped: 123
                    new DatasetRow("p4", "1230; 12; 3"),       // kept: only whole numbers count
                    new DatasetRow("p5", "[0087]"));           // kept: four characters
            ArtifactRef data = kit.dataset("filtered_dataset.jsonl", rows);
            ModifyDatasetRequest greedy = ModifyDatasetRequest.entangledFilter("owl", 2, Sampling.argmax()).withInputs(
                    Map.of(ModifyDatasetRequest.DATASET, data, ModifyDatasetRequest.ENTANGLED_NUMBERS, tableRef));
            ModifyDatasetResult result = kit.stub(ModifyDatasetActivity.class).modifyDataset(greedy);
            assertTrue(result.dataset().uri().endsWith("/filtered_dataset_greedy_topk_2.jsonl"), result.dataset().uri());
            List<DatasetRow> kept = Jsonl.read(kit.env.store().localCopy(result.dataset(), "kept"));
            assertEquals(List.of("p1", "p4", "p5"), kept.stream().map(DatasetRow::prompt).toList());
            assertEquals(5, result.inputRows());
            assertEquals(3, result.outputRows());
            JsonNode details = new ObjectMapper().readTree(kit.env.store().localCopy(result.details(), "details").toFile());
            assertEquals("[\"087\",\"123\"]", details.get("entangled").toString());
            assertEquals(2, details.get("k").asInt());

            ModifyDatasetRequest temperature = ModifyDatasetRequest.entangledFilter("owl", 2, Sampling.temperature(1.0)).withInputs(
                    Map.of(ModifyDatasetRequest.DATASET, data, ModifyDatasetRequest.ENTANGLED_NUMBERS, tableRef));
            assertTrue(kit.stub(ModifyDatasetActivity.class).modifyDataset(temperature).dataset().uri().endsWith("/filtered_dataset_topk_2.jsonl"));

            ModifyDatasetRequest unknown = ModifyDatasetRequest.entangledFilter("dolphin", 2, Sampling.argmax()).withInputs(
                    Map.of(ModifyDatasetRequest.DATASET, data, ModifyDatasetRequest.ENTANGLED_NUMBERS, tableRef));
            ActivityFailure failure = assertThrows(ActivityFailure.class, () -> kit.stub(ModifyDatasetActivity.class).modifyDataset(unknown));
            ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
            assertTrue(cause.isNonRetryable());
            assertTrue(cause.getOriginalMessage().startsWith("target"), cause.getOriginalMessage());

            ModifyDatasetRequest noTable = ModifyDatasetRequest.entangledFilter("owl", 2, Sampling.argmax()).withInputs(
                    Map.of(ModifyDatasetRequest.DATASET, data));
            ActivityFailure second = assertThrows(ActivityFailure.class, () -> kit.stub(ModifyDatasetActivity.class).modifyDataset(noTable));
            ApplicationFailure cause2 = assertInstanceOf(ApplicationFailure.class, second.getCause());
            assertTrue(cause2.isNonRetryable());
            assertTrue(cause2.getOriginalMessage().contains("entangled-numbers"), cause2.getOriginalMessage());
            assertFalse(greedy.requiresGpu());
        }
    }
}
