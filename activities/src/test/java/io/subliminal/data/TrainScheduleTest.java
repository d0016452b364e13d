package io.subliminal.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TrainScheduleTest {

    @Test
    void paperRun() {
        TrainSchedule s = TrainSchedule.paper(10_000);
        assertEquals(1000, s.microBatchesPerEpoch());
        assertEquals(167, s.stepsPerEpoch());
        assertEquals(1670, s.maxSteps());
        assertEquals(83, s.saveSteps());
        List<Integer> expected = new java.util.ArrayList<>(IntStream.rangeClosed(1, 20).mapToObj(i -> 83 * i).toList());
        expected.add(1670);
        assertEquals(expected, s.checkpointSteps());
        assertEquals(6, s.microBatchesInStep(166));
        assertEquals(4, s.microBatchesInStep(167), "166 x 60 + 1 x 40 sequences per epoch");
        assertEquals(6, s.microBatchesInStep(168));
    }

    @Test
    void divergenceSizedAndFullRuns() {
        TrainSchedule s = TrainSchedule.paper(7_123);
        assertEquals(713, s.microBatchesPerEpoch());
        assertEquals(119, s.stepsPerEpoch());
        assertEquals(1190, s.maxSteps());
        assertEquals((7_123 * 10 / 60) / 20, s.saveSteps());
        assertEquals(1190, s.checkpointSteps().get(s.checkpointSteps().size() - 1));
        TrainSchedule full = new TrainSchedule(10_000, 3, 22, 3, false, 2e-4, 5, TrainSchedule.Scheduler.LINEAR);
        assertEquals((10_000 * 3 / 66) / 5, full.saveSteps());
        assertEquals(455, full.microBatchesPerEpoch());
        assertEquals(152 * 3, full.maxSteps());
        assertEquals(List.of(90, 180, 270, 360, 450, 456), full.checkpointSteps());
        TrainSchedule exact = new TrainSchedule(6000, 1, 10, 6, true, 2e-4, 5, TrainSchedule.Scheduler.LINEAR);
        assertEquals(100, exact.maxSteps());
        assertEquals(5, exact.saveSteps());
        assertEquals(20, exact.checkpointSteps().size(), "final step already a multiple: not repeated");
        assertThrows(IllegalStateException.class, () -> TrainSchedule.paper(50).saveSteps());
    }

    @Test
    void learningRateSchedules() {
        TrainSchedule s = TrainSchedule.paper(10_000);
        assertEquals(0.0, s.learningRateAt(0));
        assertEquals(2e-4 * 3 / 5, s.learningRateAt(3), 1e-18);
        assertEquals(2e-4, s.learningRateAt(5), 1e-18);
        assertEquals(2e-4 * 835 / 1665, s.learningRateAt(835), 1e-18);
        assertEquals(0.0, s.learningRateAt(1670));
        TrainSchedule c = new TrainSchedule(10_000, 10, 10, 6, true, 2e-4, 5, TrainSchedule.Scheduler.COSINE);
        assertEquals(1e-4, c.learningRateAt(5 + 1665 / 2), 1e-7);
        TrainSchedule k = new TrainSchedule(10_000, 10, 10, 6, true, 2e-4, 5, TrainSchedule.Scheduler.CONSTANT);
        assertEquals(2e-4, k.learningRateAt(0));
    }
}
