package io.subliminal.workflows.sweep;

import static org.junit.jupiter.api.Assertions.assertFalse;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Replays workflow histories recorded from {@link SweepWorkflowTest} (regenerate with
 * {@code -Dsubliminal.recordHistories=true}; each {@code name.json} has its workflow ID in {@code name.id}) against the current workflow code: a change that is not guarded by
 * {@code Workflow.getVersion} breaks determinism and fails here before it can break a running multi-day sweep.
 */
class HistoryReplayTest {
    static final Path HISTORIES = Path.of(System.getProperty("subliminal.root", "..")).resolve("workflows/src/test/resources/histories");

    @Test
    void recordedHistoriesReplayDeterministically() throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(HISTORIES)) {
            files = list.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no recorded histories under " + HISTORIES);
        for (Path file : files) {
            // the workflow ID is part of the replayed state (the sweep names its aggregation after it)
            String workflowId = read(Path.of(file.toString().replace(".json", ".id"))).strip();
            WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(read(file), workflowId);
            WorkflowReplayer.replayWorkflowExecution(history, SweepWorkflowImpl.class, RunWorkflowImpl.class, StageWorkflowImpl.class);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file);
    }
}
