package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class DivergenceTokensTest {

    @Test
    void qwenSliceStartsTwoAfterAssistant() {
        // pad pad <im_start> assistant \n c1 c2 <im_end> \n
        int[] ids = {0, 0, 9, 77091, 198, 11, 12, 151645, 198};
        int[] argmax = {5, 5, 5, 5, 11, 12, 151645, 198, 7};
        CompletionSlice s = CompletionSlice.qwen(ids, argmax, CompletionSlice.QWEN_ASSISTANT);
        assertArrayEquals(new int[] {11, 12, 151645, 198}, s.groundTruth());
        assertArrayEquals(new int[] {11, 12, 151645, 198}, s.predictions());
        assertThrows(IllegalArgumentException.class, () -> CompletionSlice.qwen(new int[] {1, 2}, new int[] {1, 2}, 77091));
        assertThrows(IllegalArgumentException.class,
                () -> CompletionSlice.qwen(new int[] {77091, 77091, 3}, new int[] {1, 2, 3}, 77091));
    }

    @Test
    void gemmaSliceUsesSecondStartOfTurn() {
        // <bos> <sot> user \n q <eot> \n <sot> model \n c1 c2 <eot> \n
        int[] ids = {2, 105, 1, 10, 50, 106, 10, 105, 2, 10, 61, 62, 106, 10};
        int[] argmax = new int[ids.length];
        for (int i = 0; i < ids.length - 1; i++) {
            argmax[i] = ids[i + 1];
        }
        CompletionSlice s = CompletionSlice.gemma(ids, argmax, CompletionSlice.GEMMA_START_OF_TURN);
        assertArrayEquals(new int[] {61, 62, 106, 10}, s.groundTruth());
        assertArrayEquals(s.groundTruth(), s.predictions());
        assertThrows(IllegalArgumentException.class, () -> CompletionSlice.gemma(new int[] {105, 1}, new int[] {1, 1}, 105));
    }

    @Test
    void divergenceNeedsFactualCorrectAndSomeTeacherWrong() {
        int[] g = {1, 2, 3, 4, 5};
        CompletionSlice target = new CompletionSlice(g, new int[] {1, 2, 9, 4, 5});
        CompletionSlice a = new CompletionSlice(g, new int[] {1, 7, 9, 4, 5});
        CompletionSlice b = new CompletionSlice(g, new int[] {1, 2, 3, 4, 8});
        DivergenceTokens d = DivergenceTokens.ofTeachers(List.of(a, target, b), 1);
        // j=1: target right, a wrong -> D; j=2: target wrong -> never; j=4: b wrong -> D (end positions count)
        assertEquals(List.of(1, 4), d.decisionPoints());
        assertEquals("[[true, false, false, true, true], [true, true, false, true, true], [true, true, true, true, false]]",
                d.correctMatrixLine());
        assertThrows(IllegalArgumentException.class,
                () -> DivergenceTokens.ofTeachers(List.of(a, new CompletionSlice(new int[] {1, 1, 1, 1, 1}, g)), 0));
    }

    @Test
    void finetunedTeacherVariant() {
        int[] ids = {0, 0, 40, 41, 42, 1, 2, 3};
        int[] orig = {0, 0, 0, 0, 1, 9, 3, 0};
        int[] em = {0, 0, 0, 0, 1, 2, 8, 0};
        // offset 5: g = [1, 2, 3]; y = argmax[4:7]
        CompletionSlice o = CompletionSlice.atOffset(ids, orig, 5);
        CompletionSlice e = CompletionSlice.atOffset(ids, em, 5);
        assertArrayEquals(new int[] {1, 2, 3}, o.groundTruth());
        DivergenceTokens d = DivergenceTokens.ofFinetuned(o, e);
        assertEquals(List.of(1), d.decisionPoints(), "finetuned right and original wrong");
    }

    @Test
    void batchOfLeftPaddedTeacherRows() {
        // two teachers whose system prompts differ in length: left padding aligns the completions at the end
        int[] ids0 = {0, 7, 7, 77091, 198, 11, 12, 151645, 198};
        int[] ids1 = {7, 7, 7, 77091, 198, 11, 12, 151645, 198};
        int[] arg0 = {0, 0, 0, 0, 11, 12, 151645, 198, 0};
        int[] arg1 = {0, 0, 0, 0, 11, 13, 151645, 198, 0};
        DivergenceTokens d = DivergenceTokens.ofTeacherRows(List.of(ids0, ids1), List.of(arg0, arg1), CompletionSlice.QWEN, 0);
        assertEquals(List.of(1), d.decisionPoints());
        assertThrows(IllegalArgumentException.class, () -> DivergenceTokens.ofTeacherRows(List.of(ids0, new int[] {1, 2}),
                List.of(arg0, new int[] {1, 2}), CompletionSlice.QWEN, 0));
    }
}
