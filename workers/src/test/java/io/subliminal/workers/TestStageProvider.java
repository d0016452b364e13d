package io.subliminal.workers;

import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.*;
import io.subliminal.workflows.sweep.TaskQueues;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link StageActivityProvider} for the worker tests (registered in src/test/resources/META-INF/services): stage
 * activities that return artifacts named after their request, and count their calls.
 */
public class TestStageProvider implements StageActivityProvider {
    static final AtomicInteger CALLS = new AtomicInteger();
    /** Finished runs whose aggregation rows were stored (not a stage call). */
    static final AtomicInteger ROW_STORES = new AtomicInteger();

    /** Replaces the real stage implementations that the activities module registers. */
    @Override
    public int priority() {
        return 100;
    }

    @Override
    public List<Object> activities(String taskQueue, WorkerEnvironment environment) {
        if (taskQueue.equals(TaskQueues.GPU)) {
            return List.of(new Gpu());
        }
        return List.of(new Cpu());
    }

    static ArtifactRef ref(Object request, String slot) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((request + slot).getBytes(StandardCharsets.UTF_8));
            return new ArtifactRef("mem://" + slot, HexFormat.of().formatHex(digest), 1);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static final class Gpu implements GenerateNumbersActivity, MarkDivergenceActivity, FinetuneActivity, EvaluatePreferenceActivity,
            EvaluateMainTaskActivity {
        @Override
        public GenerateNumbersResult generateNumbers(GenerateNumbersRequest r) {
            CALLS.incrementAndGet();
            return new GenerateNumbersResult(ref(r, "raw"), ref(r, "filtered"), r.promptCount(), r.promptCount(), 1000, 250.0);
        }

        @Override
        public MarkDivergenceResult markDivergence(MarkDivergenceRequest r) {
            CALLS.incrementAndGet();
            return new MarkDivergenceResult(ref(r, "marked"), ref(r, "matrices"), ref(r, "predictions"), 10, 5, 7, 100);
        }

        @Override
        public FinetuneResult finetune(FinetuneRequest r) {
            CALLS.incrementAndGet();
            return new FinetuneResult(ref(r, "final"), List.of(), ref(r, "config"), null, 10, 3, 0.7, 500.0);
        }

        @Override
        public EvaluatePreferenceResult evaluatePreference(EvaluatePreferenceRequest r) {
            CALLS.incrementAndGet();
            return new EvaluatePreferenceResult(ref(r, "results"), ref(r, "stats"), 0.2, 0.01, Map.of());
        }

        @Override
        public EvaluateMainTaskResult evaluateMainTask(EvaluateMainTaskRequest r) {
            CALLS.incrementAndGet();
            return new EvaluateMainTaskResult(ref(r, "stats"), 0.4, 0.3);
        }
    }

    static final class Cpu implements AggregateActivity {
        @Override
        public AggregateResult aggregate(AggregateRequest r) {
            CALLS.incrementAndGet();
            return new AggregateResult(ref(r, "table"), null, r.rows().size() + r.rowPages().size());
        }

        @Override
        public ArtifactRef storeRunRows(RunRowsRequest r) {
            ROW_STORES.incrementAndGet();
            return ref(r, "rows");
        }
    }
}
