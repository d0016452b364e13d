package io.subliminal.workflows.stage;

import io.subliminal.workflows.payload.ArtifactRef;
import java.util.Map;

/**
 * Divergence marking output (PROTOCOL.md §6.1).
 *
 * @param markedDataset every input row plus "decision_points" ({@code *_dpoints_only.jsonl})
 * @param correctMatrices per row, |teachers| x L teacher-correctness booleans; null in §6.3 mode
 * @param teacherPredictions per row and divergence position, every teacher's argmax token id (input of
 *        {@link DatasetOperation#TEACHER_MIXING}, §6.2); JSONL {"row": i, "positions": {offset: [ids per teacher]}}
 * @param rows input rows
 * @param rowsWithDivergence rows with a non-empty divergence set
 * @param divergenceTokens total divergence positions
 * @param completionTokens total completion positions (L summed over rows)
 */
public record MarkDivergenceResult(ArtifactRef markedDataset, ArtifactRef correctMatrices, ArtifactRef teacherPredictions,
                                   int rows, int rowsWithDivergence, long divergenceTokens, long completionTokens)
        implements StageResult {
    public static final String MARKED = "marked";
    public static final String CORRECT_MATRICES = "correct-matrices";
    public static final String TEACHER_PREDICTIONS = "teacher-predictions";

    public MarkDivergenceResult {
        Checks.present("markedDataset", markedDataset);
    }

    @Override
    public Map<String, ArtifactRef> outputArtifacts() {
        return Checks.named(MARKED, markedDataset, CORRECT_MATRICES, correctMatrices, TEACHER_PREDICTIONS, teacherPredictions);
    }

    @Override
    public Map<String, Double> outputMetrics() {
        return Checks.named("rows", (double) rows, "rowsWithDivergence", (double) rowsWithDivergence,
                "divergenceTokens", (double) divergenceTokens, "completionTokens", (double) completionTokens);
    }
}
