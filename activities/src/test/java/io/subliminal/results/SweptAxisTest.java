package io.subliminal.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SweptAxisTest {

    @Test
    void readsTheAxisFromConditionNames() {
        assertEquals(new SweptAxis("T-all-layer", "LoRA layer", 14), SweptAxis.of("T-all-layer-14").orElseThrow());
        assertEquals(new SweptAxis("T-div-ratio", "decision-point ratio (%)", 25), SweptAxis.of("T-div-ratio-25").orElseThrow());
        assertEquals(new SweptAxis("T-mix-control", "mix-in size", 1000), SweptAxis.of("T-mix-control-1000").orElseThrow());
        assertEquals(new SweptAxis("T-rank", "LoRA rank", 16), SweptAxis.of("T-rank-16").orElseThrow());
    }

    @Test
    void conditionsWithoutTrailingNumberAreNotOnAnAxis() {
        assertTrue(SweptAxis.of("T-div").isEmpty());
        assertTrue(SweptAxis.of("T-div-first-only").isEmpty());
    }
}
