package io.subliminal.engine.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Schedule values against the formulas of transformers' optimization.py at chosen steps. */
class LrScheduleTest {

    private static final double EPS = 1e-12;

    @Test
    void linearWarmupThenDecayToZero() {
        LrSchedule s = LrSchedule.of(LrSchedule.Kind.LINEAR, 5, 20);
        assertEquals(0.0, s.factor(0), EPS);      // first update has lr 0 with warm-up
        assertEquals(2.0 / 5, s.factor(2), EPS);
        assertEquals(1.0, s.factor(5), EPS);
        assertEquals(10.0 / 15, s.factor(10), EPS);
        assertEquals(1.0 / 15, s.factor(19), EPS);
        assertEquals(0.0, s.factor(20), EPS);
        assertEquals(0.0, s.factor(25), EPS);
        assertEquals(2e-4 * 4.0 / 5, s.learningRate(2e-4, 5), EPS); // update 5 uses factor(4)
    }

    @Test
    void paperScheduleAt1670Steps() {
        LrSchedule s = LrSchedule.paper(1670);
        assertEquals(1.0, s.factor(5), EPS);
        assertEquals((1670.0 - 835) / 1665, s.factor(835), EPS);
        assertEquals(1.0 / 1665, s.learningRate(1.0, 1670), EPS);
    }

    @Test
    void cosineHalfWave() {
        LrSchedule s = LrSchedule.of(LrSchedule.Kind.COSINE, 5, 25);
        assertEquals(0.6, s.factor(3), EPS);
        assertEquals(1.0, s.factor(5), EPS);
        assertEquals(0.5, s.factor(15), EPS);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.25)), s.factor(10), EPS);
        assertEquals(0.0, s.factor(25), EPS);
    }

    @Test
    void cosineWithRestarts() {
        LrSchedule s = new LrSchedule(LrSchedule.Kind.COSINE_WITH_RESTARTS, 0, 20, 2);
        assertEquals(1.0, s.factor(0), EPS);
        assertEquals(0.5, s.factor(5), EPS);             // progress 0.25 -> phase 0.5
        assertEquals(1.0, s.factor(10), EPS);            // restart
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.3)), s.factor(13), EPS); // (2 * 0.65) % 1 = 0.3
        assertEquals(0.0, s.factor(20), EPS);
        assertEquals(1.0, LrSchedule.of(LrSchedule.Kind.COSINE_WITH_RESTARTS, 0, 20).numCycles(), EPS);
    }

    @Test
    void constantIgnoresWarmupButConstantWithWarmupRamps() {
        assertEquals(1.0, LrSchedule.of(LrSchedule.Kind.CONSTANT, 5, 20).factor(0), EPS);
        LrSchedule w = LrSchedule.of(LrSchedule.Kind.CONSTANT_WITH_WARMUP, 5, 20);
        assertEquals(0.4, w.factor(2), EPS);
        assertEquals(1.0, w.factor(19), EPS);
    }

    @Test
    void namesAndValidation() {
        assertEquals(LrSchedule.Kind.COSINE_WITH_RESTARTS, LrSchedule.Kind.fromHfName("cosine_with_restarts"));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.Kind.fromHfName("polynomial"));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.of(LrSchedule.Kind.LINEAR, -1, 10));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.of(LrSchedule.Kind.LINEAR, 1, 0).factor(0));
    }
}
