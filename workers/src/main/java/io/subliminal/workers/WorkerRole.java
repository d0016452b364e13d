package io.subliminal.workers;

import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.subliminal.workflows.stage.StageActivityProvider;
import io.subliminal.workflows.stage.WorkerEnvironment;
import io.subliminal.workflows.sweep.RunWorkflowImpl;
import io.subliminal.workflows.sweep.StageWorkflowImpl;
import io.subliminal.workflows.sweep.SweepWorkflowImpl;
import io.subliminal.workflows.sweep.TaskQueues;
import io.subliminal.workflows.sweep.TemporalCoordination;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts this process's Temporal worker for its role and drains it on shutdown (SIGTERM): polling stops, the
 * running activity sees {@code environment.draining()} (and a worker-shutdown heartbeat failure), checkpoints and
 * fails retryably, so the server hands it to another worker, which resumes from the last heartbeat's checkpoint.
 */
@Singleton
public class WorkerRole {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerRole.class);
    /** Workflow-thread time without yielding before the SDK reports a deadlock (SDK default: 1 s). */
    static final long DEADLOCK_DETECTION_MILLIS = 10_000;

    private final WorkerSettings settings;
    private final WorkerFactory factory;
    private final WorkflowClient client;
    private final WorkerSettings.Temporal temporal;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final List<String> registered = new ArrayList<>();
    private final io.subliminal.workflows.stage.BaseModelCache models;
    private volatile boolean started;

    public WorkerRole(WorkerSettings settings, WorkerSettings.Temporal temporal, WorkerFactory factory, WorkflowClient client) {
        this.settings = settings;
        this.factory = factory;
        this.client = client;
        this.temporal = temporal;
        this.models = new io.subliminal.workflows.stage.BaseModelCache(settings.getRole().equals("gpu") ? settings.getModelCacheSize() : 1);
    }

    @EventListener
    void onStartup(StartupEvent event) {
        WorkerEnvironment environment = new WorkerEnvironment(settings.getRole(), settings.getDevice(), settings.getStore(),
                settings.getModelsDir(), settings.getRegistryFile(), settings.stageSettings(), draining::get, models);
        if (settings.getRole().equals("gpu")) {
            Worker worker = factory.newWorker(TaskQueues.GPU, WorkerOptions.newBuilder()
                    .setMaxConcurrentActivityExecutionSize(1)
                    .setMaxHeartbeatThrottleInterval(settings.getHeartbeatThrottle())
                    .build());
            register(worker, providedActivities(TaskQueues.GPU, environment));
        } else {
            Worker worker = factory.newWorker(TaskQueues.ORCHESTRATOR, WorkerOptions.newBuilder()
                    .setMaxConcurrentActivityExecutionSize(settings.getOrchestratorActivitySlots())
                    // a sweep's first task expands its recipe (hundreds of runs, ~0.5 s on a cold JVM)
                    .setDefaultDeadlockDetectionTimeout(DEADLOCK_DETECTION_MILLIS)
                    .build());
            worker.registerWorkflowImplementationTypes(SweepWorkflowImpl.class, RunWorkflowImpl.class, StageWorkflowImpl.class);
            registered.add("workflows: SweepWorkflow, RunWorkflow, StageWorkflow");
            List<Object> activities = new ArrayList<>();
            activities.add(new TemporalCoordination(client));
            activities.addAll(providedActivities(TaskQueues.ORCHESTRATOR, environment));
            register(worker, activities);
        }
        factory.start();
        started = true;
        LOG.info("{} worker started on {} ({}), namespace {}: {}", settings.getRole(),
                settings.getRole().equals("gpu") ? TaskQueues.GPU : TaskQueues.ORCHESTRATOR, settings.getDevice(),
                temporal.getNamespace(), registered);
    }

    /**
     * Activity implementations of every {@link StageActivityProvider} on the class path, for {@code taskQueue}; where
     * providers implement the same activity interface, the highest {@link StageActivityProvider#priority()} wins.
     */
    static List<Object> providedActivities(String taskQueue, WorkerEnvironment environment) {
        List<StageActivityProvider> providers = new ArrayList<>();
        ServiceLoader.load(StageActivityProvider.class).forEach(providers::add);
        providers.sort(java.util.Comparator.comparingInt(StageActivityProvider::priority).reversed());
        Map<Class<?>, StageActivityProvider> owners = new java.util.HashMap<>();
        List<Object> activities = new ArrayList<>();
        for (StageActivityProvider provider : providers) {
            for (Object activity : provider.activities(taskQueue, environment)) {
                java.util.Set<Class<?>> interfaces = activityInterfaces(activity.getClass());
                Class<?> claimed = interfaces.stream().filter(owners::containsKey).findFirst().orElse(null);
                if (claimed != null) {
                    StageActivityProvider owner = owners.get(claimed);
                    if (owner.priority() == provider.priority()) {
                        throw new IllegalStateException(claimed.getSimpleName() + " is provided by both "
                                + owner.getClass().getName() + " and " + provider.getClass().getName()
                                + " at priority " + provider.priority() + " on " + taskQueue);
                    }
                    LOG.info("{} of {} left out: {} provides {} at higher priority", activity.getClass().getSimpleName(),
                            provider.getClass().getName(), owner.getClass().getName(), claimed.getSimpleName());
                    continue;
                }
                interfaces.forEach(i -> owners.put(i, provider));
                activities.add(activity);
            }
        }
        return activities;
    }

    /** The {@code @ActivityInterface} interfaces a class implements, directly or through its supertypes. */
    static java.util.Set<Class<?>> activityInterfaces(Class<?> type) {
        java.util.Set<Class<?>> out = new java.util.LinkedHashSet<>();
        java.util.ArrayDeque<Class<?>> todo = new java.util.ArrayDeque<>();
        todo.add(type);
        while (!todo.isEmpty()) {
            Class<?> t = todo.poll();
            if (t.isInterface() && t.isAnnotationPresent(io.temporal.activity.ActivityInterface.class)) {
                out.add(t);
            }
            if (t.getSuperclass() != null) {
                todo.add(t.getSuperclass());
            }
            todo.addAll(java.util.Arrays.asList(t.getInterfaces()));
        }
        return out;
    }

    private void register(Worker worker, List<Object> activities) {
        if (!activities.isEmpty()) {
            worker.registerActivitiesImplementations(activities.toArray());
        }
        activities.forEach(activity -> registered.add(activity.getClass().getSimpleName()));
        if (activities.isEmpty() || (settings.getRole().equals("gpu") && registered.isEmpty())) {
            LOG.warn("no stage activity implementations found for {} (add a StageActivityProvider service)", settings.getRole());
        }
    }

    @EventListener
    void onShutdown(ShutdownEvent event) {
        drain();
    }

    /** Stops polling and waits up to the drain timeout for the running activity to hand itself back. */
    public void drain() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        LOG.info("draining {} worker (up to {})", settings.getRole(), settings.getDrainTimeout());
        factory.shutdown();
        factory.awaitTermination(settings.getDrainTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!factory.isTerminated()) {
            LOG.warn("activity did not hand itself back within {}; interrupting it", settings.getDrainTimeout());
            factory.shutdownNow();
        }
        models.close();
    }

    public boolean started() {
        return started;
    }

    public boolean draining() {
        return draining.get();
    }

    public List<String> registeredActivities() {
        return List.copyOf(registered);
    }
}
