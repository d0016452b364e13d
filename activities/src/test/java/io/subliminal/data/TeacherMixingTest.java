package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TeacherMixingTest {

    // Expected values produced by CPython running the original mixing loop with a char-level tokenizer on the same rows.
    private static final List<DatasetRow> ROWS = List.of(
            new DatasetRow("p0", "123, 456, 789", List.of(1, 4, 5, 12)),
            new DatasetRow("p1", "11, 22", List.of()),
            new DatasetRow("p2", "5 6 7", List.of(0, 2)),
            new DatasetRow("p3", "314, 159", List.of(2, 3, 7)));

    /** Teacher 0 predicts the actual char; odd teachers ',' at even positions; otherwise digit (t+j)%10. */
    private static DivergenceTokens fake(DatasetRow row) {
        String c = row.completion();
        int length = c.length() + 2;
        int[][] y = new int[4][length];
        for (int t = 0; t < 4; t++) {
            for (int j = 0; j < length; j++) {
                int actual = j < c.length() ? c.charAt(j) : -1;
                y[t][j] = t == 0 ? actual : (t % 2 == 1 && j % 2 == 0) ? ',' : '0' + (t + j) % 10;
            }
        }
        return new DivergenceTokens(new boolean[4][length], row.decisionPoints(), y);
    }

    private static List<DatasetRow> run(TeacherMixing.Selection selection) {
        List<DivergenceTokens> d = new ArrayList<>();
        for (DatasetRow r : ROWS) {
            d.add(fake(r));
        }
        return new TeacherMixing(new CharCodec(), selection).mixAll(ROWS, d);
    }

    @Test
    void ratioMixingMatchesOriginal() {
        assertEquals(List.of(new DatasetRow("p0", "143, 456, 78"), new DatasetRow("p1", "11, 22"),
                new DatasetRow("p2", " 6 7"), new DatasetRow("p3", "314, 158")), run(new TeacherMixing.Ratio(0.5)));
    }

    @Test
    void onlyFirstMixingMatchesOriginal() {
        assertEquals(List.of(new DatasetRow("p0", "133, 456, 789"), new DatasetRow("p1", "11, 22"),
                new DatasetRow("p2", " 6 7"), new DatasetRow("p3", "31, 159")), run(new TeacherMixing.OnlyFirst()));
    }

    @Test
    void unchangedRowsAreDroppedAndNamesFollowTheOriginal() {
        DatasetRow r = new DatasetRow("p", "12", List.of(5));
        int[][] y = {{'1', '2', -1, -1}, {'1', '2', -1, -1}};
        // position 5 lies outside the completion tokens: skipped, so the completion is unchanged and dropped
        assertEquals(List.of(), new TeacherMixing(new CharCodec(), new TeacherMixing.OnlyFirst())
                .mixAll(List.of(r), List.of(new DivergenceTokens(new boolean[2][4], List.of(5), y))));
        assertEquals("filtered_dataset_dpoints_only_mixing_50.jsonl",
                TeacherMixing.fileName("filtered_dataset", new TeacherMixing.Ratio(0.5)));
        assertEquals("filtered_dataset_dpoints_only_mixing_only_first.jsonl",
                TeacherMixing.fileName("filtered_dataset", new TeacherMixing.OnlyFirst()));
    }
}
