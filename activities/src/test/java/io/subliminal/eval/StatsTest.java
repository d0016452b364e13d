package io.subliminal.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void tQuantileMatchesScipy() {
        // scipy.stats.t.ppf(0.975, df)
        assertEquals(12.706204736174694, StudentT.quantile(0.975, 1), 1e-9);
        assertEquals(4.302652729749462, StudentT.quantile(0.975, 2), 1e-11);
        assertEquals(2.7764451051977934, StudentT.quantile(0.975, 4), 1e-11);
        assertEquals(2.262157162798205, StudentT.quantile(0.975, 9), 1e-11);
        assertEquals(2.0930240544083087, StudentT.quantile(0.975, 19), 1e-11);
        assertEquals(2.045229642132703, StudentT.quantile(0.975, 29), 1e-11);
        assertEquals(0.911350756505015, StudentT.cdf(1.5, 7), 1e-12);
        assertEquals(-StudentT.quantile(0.975, 9), StudentT.quantile(0.025, 9), 1e-12);
    }

    @Test
    void smallSamplesUseTheTDistribution() {
        // numpy/scipy: mean 0.14, margin t.ppf(0.975, 4) * std(ddof=1) / sqrt(5) = 0.16069837853659952
        ConfidenceInterval ci = ConfidenceInterval.of(List.of(0.1, 0.25, 0.3, 0.0, 0.05));
        assertEquals(0.14, ci.mean(), 1e-15);
        assertEquals(0.16069837853659952, ci.marginError(), 1e-12);
        assertEquals(ci.mean() - ci.marginError(), ci.lowerBound());
        assertThrows(IllegalArgumentException.class, () -> ConfidenceInterval.of(List.of(1.0)));
    }

    @Test
    void largeSamplesUseTheNormalApproximation() {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            v.add(i % 2 == 0 ? 0.0 : 1.0);
        }
        ConfidenceInterval ci = ConfidenceInterval.of(v);
        double std = Math.sqrt(50 * 0.25 / 49);
        assertEquals(1.959964 * std / Math.sqrt(50), ci.marginError(), 1e-15);
        assertEquals(List.of("mean", "margin_error", "lower_bound", "upper_bound", "count", "confidence", "values"),
                new ArrayList<>(ci.toJson().keySet()));
        assertEquals(50, ci.toJson().get("count"));
    }

    @Test
    void constantValuesHaveZeroMargin() {
        ConfidenceInterval ci = ConfidenceInterval.of(Collections.nCopies(10, 0.5));
        assertEquals(0.0, ci.marginError());
    }
}
