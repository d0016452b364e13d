package io.subliminal.engine.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** torch.amp.GradScaler's rules: back off by half on overflow, double after 2000 finite updates in a row. */
class LossScalerTest {

    @Test
    void followsGradScalerRules() {
        LossScaler s = new LossScaler();
        assertEquals(65536.0, s.scale());
        assertFalse(s.record(false));
        assertEquals(32768.0, s.scale());
        for (int i = 1; i < LossScaler.GROWTH_INTERVAL; i++) {
            assertTrue(s.record(true));
            assertEquals(32768.0, s.scale(), "after " + i + " finite updates");
        }
        assertTrue(s.record(true));
        assertEquals(65536.0, s.scale());
        assertEquals(new LossScaler.State(65536.0, 0, 1, 0), s.state());
        // an overflow resets the run of finite updates
        for (int i = 0; i < 1500; i++) {
            s.record(true);
        }
        s.record(false);
        for (int i = 0; i < 1999; i++) {
            s.record(true);
        }
        assertEquals(new LossScaler.State(32768.0, 1999, 2, 0), s.state());
    }

    /** A run whose float16 gradients never come out finite fails instead of consuming its data without updates. */
    @Test
    void persistentOverflowIsDivergence() {
        LossScaler s = new LossScaler();
        for (int i = 1; i < LossScaler.MAX_SKIPS_IN_A_ROW; i++) {
            assertFalse(s.record(false));
        }
        assertTrue(s.record(true)); // an applied update ends the run of overflows
        for (int i = 1; i < LossScaler.MAX_SKIPS_IN_A_ROW; i++) {
            assertFalse(s.record(false));
        }
        TrainingDiverged e = assertThrows(TrainingDiverged.class, () -> s.record(false));
        assertTrue(e.getMessage().contains(LossScaler.MAX_SKIPS_IN_A_ROW + " updates in a row"), e.getMessage());
    }

    @Test
    void restoresAndValidatesItsState() {
        LossScaler s = new LossScaler();
        s.restore(new LossScaler.State(8.0, 17, 3, 0));
        assertEquals(new LossScaler.State(8.0, 17, 3, 0), s.state());
        Exception scale = assertThrows(IllegalArgumentException.class, () -> new LossScaler.State(0, 0, 0, 0));
        assertTrue(scale.getMessage().contains("'scale'"), scale.getMessage());
        Exception good = assertThrows(IllegalArgumentException.class,
                () -> new LossScaler.State(1, LossScaler.GROWTH_INTERVAL, 0, 0));
        assertTrue(good.getMessage().contains("'goodSteps'"), good.getMessage());
    }
}
