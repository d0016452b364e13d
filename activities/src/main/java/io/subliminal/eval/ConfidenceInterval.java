package io.subliminal.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Mean of per-item values with its 95% confidence interval as the original stats code computes it: margin =
 * critical · std(ddof=1) / √n, with the normal critical value 1.959964 when n &gt; 30 and Student's t quantile with
 * n − 1 degrees of freedom when n &lt;= 30.
 *
 * @param mean        mean of the values
 * @param marginError half-width of the interval
 * @param count       n
 * @param confidence  confidence level (0.95)
 * @param values      the values, in the order given
 */
public record ConfidenceInterval(double mean, double marginError, int count, double confidence, List<Double> values) {

    /** The normal 97.5% quantile the original uses. */
    public static final double Z_975 = 1.959964;

    public ConfidenceInterval {
        values = List.copyOf(values);
    }

    /** The 95% interval of {@code values} (at least two values). */
    public static ConfidenceInterval of(List<Double> values) {
        int n = values.size();
        if (n < 2) {
            throw new IllegalArgumentException("a confidence interval needs at least 2 values, got " + n);
        }
        double mean = 0;
        for (double v : values) {
            mean += v;
        }
        mean /= n;
        double ss = 0;
        for (double v : values) {
            ss += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(ss / (n - 1));
        double critical = n <= 30 ? StudentT.quantile(0.975, n - 1) : Z_975;
        return new ConfidenceInterval(mean, critical * std / Math.sqrt(n), n, 0.95, values);
    }

    /** mean − margin. */
    public double lowerBound() {
        return mean - marginError;
    }

    /** mean + margin. */
    public double upperBound() {
        return mean + marginError;
    }

    /** The stats.json object: mean, margin_error, lower_bound, upper_bound, count, confidence, values. */
    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", mean);
        m.put("margin_error", marginError);
        m.put("lower_bound", lowerBound());
        m.put("upper_bound", upperBound());
        m.put("count", count);
        m.put("confidence", confidence);
        m.put("values", values);
        return m;
    }
}
