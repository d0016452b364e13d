package io.subliminal.workflows.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaseModelCacheTest {
    record Model(String name, List<String> closed) implements AutoCloseable {
        @Override
        public void close() {
            closed.add(name);
        }
    }

    @Test
    void keepsTheRecentModelsAndClosesEvictedOnes() {
        List<String> closed = new ArrayList<>();
        List<String> loads = new ArrayList<>();
        try (BaseModelCache cache = new BaseModelCache(2)) {
            Model qwen = cache.get("qwen", Model.class, () -> { loads.add("qwen"); return new Model("qwen", closed); });
            assertSame(qwen, cache.get("qwen", Model.class, () -> { throw new AssertionError("loaded twice"); }));
            cache.get("gemma", Model.class, () -> { loads.add("gemma"); return new Model("gemma", closed); });
            cache.get("qwen", Model.class, () -> { throw new AssertionError("loaded twice"); });
            cache.get("phi", Model.class, () -> { loads.add("phi"); return new Model("phi", closed); });
            assertEquals(List.of("gemma"), closed, "the least recently used model is closed");
            assertEquals(List.of("qwen", "phi"), cache.keys());
            assertThrows(IllegalStateException.class, () -> cache.get("phi", Model2.class, Model2::new), "wrong type for a key");
        }
        assertEquals(List.of("gemma", "qwen", "phi"), closed);
        assertEquals(List.of("qwen", "gemma", "phi"), loads);
    }

    record Model2() implements AutoCloseable {
        @Override
        public void close() {
        }
    }
}
