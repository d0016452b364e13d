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
 * Histories of earlier workflow versions stay (suffix {@code -before-<change>}): workflows started by older code must
 * keep replaying on the new code.
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
        warmUp();
        for (Path file : files) {
            // the workflow ID is part of the replayed state (the sweep names its aggregation after it)
            String workflowId = read(Path.of(file.toString().replace(".json", ".id"))).strip();
            WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(read(file), workflowId);
            WorkflowReplayer.replayWorkflowExecution(history, SweepWorkflowImpl.class, RunWorkflowImpl.class, StageWorkflowImpl.class);
        }
    }

    /**
     * Loads and JIT-warms the recipe, hashing and payload code outside the workflow threads, so that the first
     * replayed workflow task is not flagged by the 1 s deadlock detector on a busy machine.
     */
    private static void warmUp() {
        Path root = Path.of(System.getProperty("subliminal.root", ".."));
        var registry = io.subliminal.workflows.recipe.RecipeLoader.loadRegistry(root.resolve("cfgs/models.yaml"));
        var loaded = io.subliminal.workflows.recipe.RecipeLoader.load(root.resolve("cfgs/figures/fig-3.yaml"), registry);
        var converter = io.temporal.common.converter.DefaultDataConverter.newDefaultInstance();
        for (var run : loaded.runs()) {
            var payloads = converter.toPayloads(run).orElseThrow();
            converter.fromPayloads(0, java.util.Optional.of(payloads), io.subliminal.workflows.plan.RunPlan.class,
                    io.subliminal.workflows.plan.RunPlan.class);
        }
        SweepInput input = SweepInput.of("warm-up", loaded.recipe(), registry);
        converter.fromPayloads(0, java.util.Optional.of(converter.toPayloads(input).orElseThrow()), SweepInput.class, SweepInput.class);
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file);
    }
}
