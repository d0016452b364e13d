package io.subliminal.activities;

import io.subliminal.activities.support.LoadedModel;
import io.subliminal.activities.support.ModelCache;
import io.subliminal.activities.support.ModelKey;
import io.subliminal.engine.nn.Precision;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The worker-process model cache: one load per key shared by concurrent activities; failed loads are retried. */
class ModelCacheTest {
    private static final ModelKey TINY = new ModelKey("tiny/llama-smollm2-vocab-seed-7", Precision.FP32, "cpu");

    @Test
    void concurrentRequestsForOneKeyShareOneLoad() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        try (ModelCache cache = new ModelCache(key -> {
            loads.incrementAndGet();
            return StageTestKit.MODELS.loadPrivate(key);
        })) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<LoadedModel>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return cache.get(TINY);
                }));
            }
            start.countDown();
            LoadedModel first = results.get(0).get();
            for (Future<LoadedModel> f : results) {
                assertSame(first, f.get());
            }
            pool.shutdown();
            assertEquals(1, loads.get());
            assertEquals(1, cache.size());
            ModelKey fp16 = new ModelKey(TINY.location(), Precision.FP16_MIXED, "cpu");
            assertNotSame(first, cache.get(fp16), "precision is part of the key");
            assertEquals(2, loads.get());
        }
    }

    @Test
    void aFailedLoadIsNotCached() {
        AtomicInteger attempts = new AtomicInteger();
        try (ModelCache cache = new ModelCache(key -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("disk hiccup");
            }
            return StageTestKit.MODELS.loadPrivate(key);
        })) {
            assertThrows(IllegalStateException.class, () -> cache.get(TINY));
            cache.get(TINY);
            assertEquals(2, attempts.get());
        }
    }
}
