package io.subliminal.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.subliminal.data.DatasetRow;
import io.subliminal.data.DatasetShuffles;
import io.subliminal.data.NumberPrompt;
import io.subliminal.data.NumberPromptGenerator;
import io.subliminal.data.NumberPromptTemplates;
import io.subliminal.data.PythonRandom;
import io.subliminal.data.ReferenceData;
import io.subliminal.data.TeacherPrompts;
import io.subliminal.data.TeacherSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The project's own cfgs/ files load through the same loaders as the paper's and keep the paper's structure. */
class ProjectCfgsTest {

    private static Path cfg(String rel) {
        return Path.of(System.getProperty("subliminal.root"), "cfgs", rel);
    }

    @Test
    void numberPromptTemplates() {
        NumberPromptTemplates own = NumberPromptTemplates.load(cfg("prompts/number_prompt_templates.yaml"));
        NumberPromptTemplates paper = NumberPromptTemplates.load(ReferenceData.file("number_prompt_templates.json"));
        assertEquals(List.of(25, 9, 9, 10, 15, 19), List.of(own.exampleTemplates().size(), own.countQualifiers().size(),
                own.digitDescriptors().size(), own.instructionTemplates().size(), own.formatSuffixes().size(),
                own.suffixes().size()));
        assertEquals(8, new HashSet<>(own.digitDescriptors()).size(), "exactly one duplicate digit descriptor");
        assertEquals(paper.parameters(), own.parameters());
        assertTrue(Collections.disjoint(own.exampleTemplates(), paper.exampleTemplates()), "own wording");
        assertTrue(Collections.disjoint(own.suffixes(), paper.suffixes()), "own wording");
        NumberPromptGenerator g = NumberPromptGenerator.paper(own);
        List<DatasetRow> rows = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            NumberPrompt p = g.next();
            assertEquals(p.text(), NumberPrompt.parse(p.text(), own).text(), "own prompts parse back");
            seen.add(p.text());
            rows.add(new DatasetRow(p.text(), "1, 2"));
        }
        assertEquals(3000, seen.size());
        assertEquals(3000, DatasetShuffles.shuffleTemplateParts(rows, DatasetShuffles.DEFAULT_PARTS, own,
                new PythonRandom(42)).size());
    }

    @Test
    void teacherPromptAndSets() {
        TeacherPrompts own = TeacherPrompts.load(cfg("prompts/system_prompts.yaml"));
        String s = own.systemPrompt("owl", TeacherPrompts.ANIMAL);
        assertTrue(s.contains("owls are the animal you like best."), s);
        assertEquals(4, s.split("\\. ").length, "four sentences");
        assertEquals(TeacherSet.animals(true), TeacherSet.load(cfg("prompts/teacher_sets.yaml"), false, true));
        assertEquals(TeacherSet.trees(), TeacherSet.load(cfg("prompts/teacher_sets.yaml"), true, false));
    }

    @Test
    void questionSets() {
        QuestionSet animals = QuestionSet.load(cfg("questions/preference_questions.yaml"), QuestionSet.ANIMAL);
        QuestionSet trees = QuestionSet.load(cfg("questions/preference_questions.yaml"), QuestionSet.TREE);
        QuestionSet paper = QuestionSet.load(ReferenceData.file("preference_eval_questions.json"), QuestionSet.ANIMAL);
        assertEquals(50, animals.questions().size());
        assertEquals(50, trees.questions().size());
        assertEquals(200, animals.samplesPerQuestion());
        assertTrue(Collections.disjoint(animals.questions(), paper.questions()), "own wording");
        assertTrue(trees.questions().stream().allMatch(q -> q.toLowerCase().contains("tree")));

        MisalignmentEval m = MisalignmentEval.load(cfg("questions/misalignment_eval.yaml"));
        assertEquals(8, m.questions().size());
        assertTrue(m.alignmentPrompt("q", "a").contains("[QUESTION START]\nq\n[QUESTION END]"));
        assertTrue(m.coherencyPrompt("q", "a").contains("[ANSWER START]\na\n[ANSWER END]"));

        FactualityQuestions f = FactualityQuestions.load(cfg("questions/factuality_questions.yaml"));
        FactualityQuestions fp = FactualityQuestions.load(ReferenceData.file("factuality_questions.json"));
        assertEquals(fp.questionsByAnswer().keySet(), f.questionsByAnswer().keySet());
        assertTrue(f.questionsByAnswer().values().stream().allMatch(l -> l.size() == 20));
        assertEquals(29, f.suffixes().size());
        assertEquals(340, f.withSuffixes().values().stream().mapToInt(List::size).sum());
    }
}
