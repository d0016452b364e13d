package io.subliminal.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Entangled-number filtering (PROTOCOL §11.1, Fig 2/11), the parts that need no model: the three-digit joint
 * distribution from digit log-probabilities, the difference to the other preferences, the top-k numbers, and the
 * row filter.
 */
public final class EntangledNumbers {

    private EntangledNumbers() {
    }

    /**
     * P(d1 d2 d3) over "000".."999" (index = the number): log p1[d1] + log p2[d1][d2] + log p3[d1][d2][d3],
     * renormalised over the 1,000 strings. Inputs are next-token log-softmax values restricted to the digit tokens.
     */
    public static double[] jointDistribution(double[] logP1, double[][] logP2, double[][][] logP3) {
        double[] joint = new double[1000];
        double max = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < 10; a++) {
            for (int b = 0; b < 10; b++) {
                for (int c = 0; c < 10; c++) {
                    double v = logP1[a] + logP2[a][b] + logP3[a][b][c];
                    joint[a * 100 + b * 10 + c] = v;
                    max = Math.max(max, v);
                }
            }
        }
        double sum = 0;
        for (double v : joint) {
            sum += Math.exp(v - max);
        }
        double logZ = max + Math.log(sum);
        for (int i = 0; i < 1000; i++) {
            joint[i] = Math.exp(joint[i] - logZ);
        }
        return joint;
    }

    /** Δ_b = P_b − normalize(mean of P_b' over the other preferences). */
    public static double[] difference(String preference, Map<String, double[]> distributions) {
        double[] own = distributions.get(preference);
        if (own == null) {
            throw new IllegalArgumentException("no distribution for preference '" + preference + "'");
        }
        double[] mean = new double[own.length];
        int others = 0;
        for (Map.Entry<String, double[]> e : distributions.entrySet()) {
            if (e.getKey().equals(preference)) {
                continue;
            }
            others++;
            for (int i = 0; i < mean.length; i++) {
                mean[i] += e.getValue()[i];
            }
        }
        if (others == 0) {
            throw new IllegalArgumentException("need at least one other preference besides '" + preference + "'");
        }
        double total = 0;
        for (int i = 0; i < mean.length; i++) {
            mean[i] /= others;
            total += mean[i];
        }
        double[] diff = new double[own.length];
        for (int i = 0; i < diff.length; i++) {
            diff[i] = own[i] - mean[i] / total;
        }
        return diff;
    }

    /** The k numbers with the largest difference, largest first, as zero-padded three-digit strings. */
    public static List<String> topK(double[] difference, int k) {
        if (k < 0 || k > difference.length) {
            throw new IllegalArgumentException("top-k must be in [0, " + difference.length + "], got " + k);
        }
        return IntStream.range(0, difference.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -difference[i]).thenComparingInt(i -> i))
                .limit(k).map(i -> String.format("%03d", i)).toList();
    }

    /** Rows none of whose numbers, as written, is in {@code entangled} ("87" never matches "087"). */
    public static List<DatasetRow> filter(List<DatasetRow> rows, Set<String> entangled) {
        List<DatasetRow> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            ResponseNumbers r;
            try {
                r = ResponseNumbers.parse(rows.get(i).completion());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("row " + i + ": " + e.getMessage(), e);
            }
            if (r.numbers().stream().noneMatch(entangled::contains)) {
                out.add(rows.get(i));
            }
        }
        return out;
    }
}
