package io.subliminal.workers;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.scheduling.annotation.Scheduled;
import io.subliminal.workflows.sweep.TaskQueues;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.micronaut.context.annotation.Context;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Polls the approximate activity backlog of both task queues: {@code subliminal_queue_backlog{queue}}. */
@Context
public class QueueDepthGauge {
    private static final Logger LOG = LoggerFactory.getLogger(QueueDepthGauge.class);
    private final WorkflowServiceStubs stubs;
    private final WorkerSettings.Temporal temporal;
    private final Map<String, AtomicLong> backlog = Map.of(TaskQueues.GPU, new AtomicLong(), TaskQueues.ORCHESTRATOR, new AtomicLong());

    public QueueDepthGauge(WorkflowServiceStubs stubs, WorkerSettings.Temporal temporal, MeterRegistry registry) {
        this.stubs = stubs;
        this.temporal = temporal;
        backlog.forEach((queue, value) -> Gauge.builder("subliminal.queue.backlog", value, AtomicLong::doubleValue)
                .tag("queue", queue).register(registry));
    }

    @Scheduled(fixedDelay = "30s", initialDelay = "10s")
    void poll() {
        backlog.forEach((queue, value) -> {
            try {
                var response = stubs.blockingStub().describeTaskQueue(DescribeTaskQueueRequest.newBuilder()
                        .setNamespace(temporal.getNamespace())
                        .setTaskQueue(TaskQueue.newBuilder().setName(queue).build())
                        .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
                        .setReportStats(true)
                        .build());
                value.set(response.getStats().getApproximateBacklogCount());
            } catch (RuntimeException e) {
                LOG.debug("cannot read backlog of {}: {}", queue, e.getMessage());
            }
        });
    }
}
