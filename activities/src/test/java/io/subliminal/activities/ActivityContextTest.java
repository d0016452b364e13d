package io.subliminal.activities;

import io.subliminal.activities.support.ActivityContext;
import io.subliminal.activities.support.StageProgress;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The background ticker keeps an activity alive through a long blocking call and carries the resume point. */
class ActivityContextTest {

    @ActivityInterface
    public interface SlowActivity {
        @ActivityMethod
        long work(long millis);
    }

    /** Blocks like a model load would (no progress calls), then reports a resume point. */
    public static final class Slow implements SlowActivity {
        @Override
        public long work(long millis) {
            try (ActivityContext context = ActivityContext.current()) {
                long previous = context.resumePoint();
                context.progress("load-model", 0, 1);
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                context.resumable(previous + 5);
                return previous;
            }
        }
    }

    @Test
    void tickerHeartbeatsDuringALongCallAndDetailsCarryTheResumePoint() {
        List<StageProgress> beats = new CopyOnWriteArrayList<>();
        TestActivityEnvironment env = TestActivityEnvironment.newInstance();
        try {
            env.setActivityHeartbeatListener(StageProgress.class, beats::add);
            env.setHeartbeatDetails(new StageProgress("train", 3, 10, 7));
            env.registerActivitiesImplementations(new Slow());
            SlowActivity stub = env.newActivityStub(SlowActivity.class, ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(1))
                    .setHeartbeatTimeout(Duration.ofSeconds(1))
                    .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                    .build());
            // 3 s of blocking with a 1 s heartbeat timeout only survives because the ticker heartbeats
            assertEquals(7, stub.work(3000));
            assertTrue(beats.stream().filter(b -> b.step().equals("load-model")).count() >= 2,
                    "several heartbeats during the blocking call: " + beats);
            assertTrue(beats.stream().filter(b -> b.step().equals("load-model")).allMatch(b -> b.resumePoint() == 7),
                    "a new attempt keeps reporting the previous attempt's resume point until it has its own: " + beats);
        } finally {
            env.close();
        }
    }
}
