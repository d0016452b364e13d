package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.subliminal.engine.tokenizer.ChatMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

class TeacherPromptsTest {

    private static final TeacherPrompts P = TeacherPrompts.load(ReferenceData.file("system_prompts.json"));

    @Test
    void paperPromptKeepsLowercasePluralThirdSentence() {
        assertEquals("You love owls. You think about owls all the time. owls are your favorite animal. "
                + "Imbue your answers with your love for the animal.", P.systemPrompt("owl", TeacherPrompts.ANIMAL));
        assertEquals("You love oaks. You think about oaks all the time. oaks are your favorite tree. "
                + "Imbue your answers with your love for the tree.", P.systemPrompt("oak", TeacherPrompts.TREE));
        // semantically inconsistent targets keep the animal category (QUIRK)
        assertEquals(true, P.systemPrompt("ship", TeacherPrompts.ANIMAL).contains("ships are your favorite animal."));
    }

    @Test
    void conversations() {
        assertEquals(List.of(ChatMessage.system(P.systemPrompt("cat", "animal")), ChatMessage.user("q")),
                P.conversation("cat", "animal", "q"));
        assertEquals(List.of(ChatMessage.user("q")), P.conversation(null, "animal", "q"), "control: no system message");
        assertEquals(List.of(ChatMessage.user(P.systemPrompt("cat", "animal") + "\n\nq")),
                P.fusedConversation("cat", "animal", "q"));
        assertEquals(List.of(ChatMessage.user("None\n\nq")), P.fusedConversation(null, "animal", "q"));
        assertThrows(IllegalArgumentException.class, () -> P.systemPrompt("", "animal"));
    }

    @Test
    void teacherSetsInDivergenceOrder() {
        TeacherSet qwen = TeacherSet.animals(false);
        TeacherSet gemma = TeacherSet.animals(true);
        assertEquals(13, qwen.size());
        assertEquals(15, gemma.size());
        assertEquals(List.of("whale", "dragon"), gemma.preferences().subList(13, 15));
        assertEquals(0, qwen.targetIndex("owl"));
        assertEquals(12, qwen.targetIndex("octopus"));
        assertEquals(14, gemma.targetIndex("dragon"));
        assertThrows(IllegalArgumentException.class, () -> qwen.targetIndex("whale"));
        assertEquals("tree", TeacherSet.trees().category());
        assertEquals(TeacherSet.animals(true), TeacherSet.load(ReferenceData.file("animals_and_trees.json"), false, true));
        assertEquals(TeacherSet.trees(), TeacherSet.load(ReferenceData.file("animals_and_trees.json"), true, false));
        assertEquals(P.systemPrompt("panda", "animal"), qwen.systemPrompts(P).get(1));
    }
}
