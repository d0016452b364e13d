package io.subliminal.results;

import java.util.List;

/**
 * Mean and standard error of one figure point over its seeds: {@code se = std(x, ddof=1) / sqrt(n)}, and 0 for a
 * single seed (no spread to estimate; the report marks such points with n = 1).
 *
 * @param n number of seeds
 * @param mean sample mean
 * @param std sample standard deviation (ddof = 1; 0 when n = 1)
 * @param standardError {@code std / sqrt(n)}
 */
public record SeedStatistics(int n, double mean, double std, double standardError) {

    public SeedStatistics {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, got " + n);
        }
    }

    /** The statistics of {@code values} (at least one, all finite). */
    public static SeedStatistics of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values to aggregate");
        }
        int n = values.size();
        double sum = 0;
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("values must be finite, got " + v);
            }
            sum += v;
        }
        double mean = sum / n;
        if (n == 1) {
            return new SeedStatistics(1, mean, 0, 0);
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(squares / (n - 1));
        return new SeedStatistics(n, mean, std, std / Math.sqrt(n));
    }
}
