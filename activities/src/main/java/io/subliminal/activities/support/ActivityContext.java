package io.subliminal.activities.support;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Heartbeats for one stage activity attempt. The stage reports progress as it goes ({@link #progress}); a background
 * ticker re-sends the latest {@link StageProgress} every {@code tick} so that a long single call (loading a model, one
 * big forward pass) still heartbeats. A cancellation or timeout seen by the ticker is rethrown by the stage thread at
 * its next {@link #progress} or {@link #checkCancelled()}.
 */
public final class ActivityContext implements AutoCloseable {
    /** The ticker interval used by the stages: well under the 30 s heartbeat bound. */
    public static final Duration DEFAULT_TICK = Duration.ofSeconds(10);

    private final ActivityExecutionContext execution;
    private final ScheduledExecutorService ticker;
    private final AtomicReference<StageProgress> latest;
    private final AtomicReference<ActivityCompletionException> stopped = new AtomicReference<>();

    /** The context opened last on each activity thread (see {@link #onThisThread()}). */
    private static final ThreadLocal<ActivityContext> OPEN = new ThreadLocal<>();

    /** The context this one replaced on its thread, restored on close. */
    private final ActivityContext outer;
    private final Thread owner;

    private ActivityContext(ActivityExecutionContext execution, Duration tick) {
        this.execution = execution;
        this.owner = Thread.currentThread();
        this.outer = OPEN.get();
        StageProgress previous = execution.getHeartbeatDetails(StageProgress.class).orElse(null);
        this.latest = new AtomicReference<>(previous == null ? StageProgress.starting("start")
                : new StageProgress("start", 0, 0, previous.resumePoint()));
        this.resumeFrom = previous;
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "heartbeat-" + execution.getInfo().getActivityId());
            thread.setDaemon(true);
            return thread;
        });
        long millis = tick.toMillis();
        ticker.scheduleAtFixedRate(this::beat, 0, millis, TimeUnit.MILLISECONDS);
        OPEN.set(this);
    }

    private final StageProgress resumeFrom;

    /**
     * The context of the activity running on this thread, ticking every {@link #DEFAULT_TICK} or a third of the
     * activity's heartbeat timeout, whichever is shorter.
     */
    public static ActivityContext current() {
        ActivityExecutionContext execution = Activity.getExecutionContext();
        Duration timeout = execution.getInfo().getHeartbeatTimeout();
        Duration tick = DEFAULT_TICK;
        if (timeout != null && !timeout.isZero() && timeout.dividedBy(3).compareTo(tick) < 0) {
            tick = timeout.dividedBy(3);
        }
        return new ActivityContext(execution, tick.isZero() ? Duration.ofMillis(100) : tick);
    }

    /** The context of the activity running on this thread with a given ticker interval. */
    public static ActivityContext current(Duration tick) {
        return new ActivityContext(Activity.getExecutionContext(), tick);
    }

    /** The details of the previous attempt's last heartbeat, when this is a retry. */
    public Optional<StageProgress> previousAttempt() {
        return Optional.ofNullable(resumeFrom);
    }

    /** The previous attempt's durable resume point, or 0. */
    public long resumePoint() {
        return resumeFrom == null ? 0 : resumeFrom.resumePoint();
    }

    /** Which attempt this is (1 for the first). */
    public int attempt() {
        return execution.getInfo().getAttempt();
    }

    /** The activity id (for logs and temp names). */
    public String activityId() {
        return execution.getInfo().getActivityId();
    }

    /** Reports progress and heartbeats now (Temporal throttles the actual sends). */
    public void progress(String step, long done, long total) {
        checkCancelled();
        StageProgress next = latest.updateAndGet(p -> p.at(step, done, total));
        send(next);
    }

    /** Records a durable resume point (rows written, checkpoint saved) and heartbeats it. */
    public void resumable(long point) {
        checkCancelled();
        StageProgress next = latest.updateAndGet(p -> p.resumableAt(point));
        send(next);
    }

    /** The latest progress sent. */
    public StageProgress latest() {
        return latest.get();
    }

    /** Throws the cancellation/timeout the ticker saw, if any. */
    public void checkCancelled() {
        ActivityCompletionException stop = stopped.get();
        if (stop != null) {
            throw stop;
        }
    }

    private void beat() {
        if (stopped.get() != null) {
            return;
        }
        try {
            execution.heartbeat(latest.get());
        } catch (ActivityCompletionException e) {
            stopped.compareAndSet(null, e);
        } catch (RuntimeException e) {
            // a failed send is retried on the next tick; the stage thread is not disturbed
        }
    }

    private void send(StageProgress progress) {
        try {
            execution.heartbeat(progress);
        } catch (ActivityCompletionException e) {
            stopped.compareAndSet(null, e);
            throw e;
        }
    }

    /**
     * The context the stage running on this thread opened and has not closed yet, for code deep in a stage that
     * reports long work without being handed the context (a base-model download); empty outside a stage.
     */
    public static java.util.Optional<ActivityContext> onThisThread() {
        return java.util.Optional.ofNullable(OPEN.get());
    }

    @Override
    public void close() {
        if (Thread.currentThread() == owner && OPEN.get() == this) {
            if (outer == null) {
                OPEN.remove();
            } else {
                OPEN.set(outer);
            }
        }
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
