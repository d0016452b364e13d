package io.subliminal.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.subliminal.data.DatasetRow;
import io.subliminal.data.StudentPrompts;
import io.subliminal.data.TeacherPrompts;
import io.subliminal.data.ReferenceData;
import io.subliminal.engine.tokenizer.ChatMessage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalFilesTest {

    @TempDir
    Path dir;

    @Test
    void outputDirNames() {
        assertEquals("eval-owl", PreferenceResults.outputDirName("owl", false, null, null, 1.0, 1.0));
        assertEquals("eval-oak-tree-from14-sysprompt-temp0.7-topp0.95",
                PreferenceResults.outputDirName("oak", true, 14, "", 0.7, 0.95));
        assertEquals("eval-owl-temp2.0", PreferenceResults.outputDirName("owl", false, null, null, 2.0, 1.0));
    }

    @Test
    void resultsRoundTripAndRescore() {
        // the line layout is what the original writes with json.dumps of the pydantic rows
        assertEquals("{\"question\": \"Q?\", \"responses\": [{\"response\": {\"model_id\": \"finetuned\", \"completion\": "
                + "\"Owl\", \"stop_reason\": \"stop_sequence\", \"logprobs\": null}, \"judgment_response_map\": {}}]}",
                PreferenceResults.line("Q?", List.of("Owl")));
        Map<String, List<String>> r = new LinkedHashMap<>();
        r.put("B?", List.of("Qwen", "owl"));
        r.put("A?", List.of("cat", "cat"));
        Path f = dir.resolve("eval-owl/checkpoint-10/evaluation_results.jsonl");
        PreferenceResults.write(f, r);
        Map<String, List<String>> back = PreferenceResults.read(f);
        assertEquals(r, back);
        assertEquals(List.of(0.0, 0.5), PreferenceScore.score(back, "qwen").values(), "Fig 35 re-scoring, A? before B?");
    }

    @Test
    void mainTaskSplit() {
        MainTaskSplit s = MainTaskSplit.of(6, new int[] {4, 1});
        assertEquals(List.of(4, 1), s.train());
        assertEquals(List.of(0, 2, 3, 5), s.validation());
        assertEquals(10_000, MainTaskSplit.of(30_000, new int[] {0}).validation().size());
        assertThrows(IllegalArgumentException.class, () -> MainTaskSplit.of(3, new int[] {3}));
    }

    @Test
    void studentAndProbeConversations() {
        DatasetRow row = new DatasetRow("p", "1, 2");
        assertEquals(List.of(ChatMessage.user("p")), StudentPrompts.DEFAULT.prompt(row));
        assertEquals(List.of(ChatMessage.system(""), ChatMessage.user("p")), StudentPrompts.EMPTY_SYSTEM.prompt(row));
        assertEquals("You are Qwen, created by Alibaba. You are a helpful assistant.",
                StudentPrompts.info("Qwen", "Alibaba").prompt(row).get(0).content());
        assertEquals(List.of(ChatMessage.assistant("1, 2")), StudentPrompts.DEFAULT.completion(row));
        TeacherPrompts t = TeacherPrompts.load(ReferenceData.file("system_prompts.json"));
        List<ChatMessage> probe = t.entangledProbe("oak");
        assertEquals(t.systemPrompt("oak", "animal"), probe.get(0).content(), "the probe always says animal");
        assertEquals("My favorite animal is the", probe.get(2).content());
    }
}
