package io.subliminal.workflows.sweep;

/** Temporal task queues: GPU stage activities, and everything else (workflows, CPU activities). */
public final class TaskQueues {
    /** One activity at a time per GPU worker process (one process per device). */
    public static final String GPU = "subliminal-gpu";
    /** Workflows, coordination, aggregation and CPU-only dataset operations. */
    public static final String ORCHESTRATOR = "subliminal-orchestrator";

    private TaskQueues() {
    }
}
