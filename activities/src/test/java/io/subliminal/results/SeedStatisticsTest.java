package io.subliminal.results;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SeedStatisticsTest {

    @Test
    void meanAndStandardErrorUseDdofOne() {
        // numpy: x=[0.1,0.2,0.4]; x.mean()=0.23333; x.std(ddof=1)=0.15275252; /sqrt(3)=0.08819171
        SeedStatistics s = SeedStatistics.of(List.of(0.1, 0.2, 0.4));
        assertEquals(3, s.n());
        assertEquals(0.2333333333333333, s.mean(), 1e-15);
        assertEquals(0.15275252316519466, s.std(), 1e-15);
        assertEquals(0.08819171036881969, s.standardError(), 1e-15);
    }

    @Test
    void singleSeedHasNoSpread() {
        SeedStatistics s = SeedStatistics.of(List.of(0.37));
        assertEquals(1, s.n());
        assertEquals(0.37, s.mean());
        assertEquals(0, s.std());
        assertEquals(0, s.standardError());
    }

    @Test
    void identicalSeedsHaveZeroError() {
        assertEquals(0, SeedStatistics.of(List.of(0.5, 0.5, 0.5, 0.5)).standardError());
    }

    @Test
    void rejectsEmptyAndNonFinite() {
        assertThrows(IllegalArgumentException.class, () -> SeedStatistics.of(List.of()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeedStatistics.of(List.of(0.1, Double.NaN)));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());
    }
}
