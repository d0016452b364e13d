package io.subliminal.engine.generate;

/**
 * Timings of one {@link Sampler#generate} call, as wall time and as CPU time of the whole process (all threads;
 * on a shared machine CPU time is the contention-free measure; -1 when unavailable).
 *
 * @param rows batch size
 * @param promptColumns padded prompt length
 * @param steps tokens generated per row (the first comes from the prefill)
 * @param prefillNanos prefill forward plus the first token's sampling
 * @param decodeNanos the remaining {@code steps - 1} decode steps
 */
public record GenerationStats(int rows, int promptColumns, int steps, long prefillNanos, long decodeNanos,
                              long prefillCpuNanos, long decodeCpuNanos) {

    /** Prompt slots processed per wall second in the prefill (padding included). */
    public double prefillTokensPerSecond() {
        return rows * (double) promptColumns / (prefillNanos / 1e9);
    }

    /** New tokens per wall second over the decode steps (all rows). */
    public double decodeTokensPerSecond() {
        return steps <= 1 ? 0 : rows * (double) (steps - 1) / (decodeNanos / 1e9);
    }

    /** New tokens per CPU second of the process over the decode steps. */
    public double decodeTokensPerCpuSecond() {
        return steps <= 1 || decodeCpuNanos <= 0 ? 0 : rows * (double) (steps - 1) / (decodeCpuNanos / 1e9);
    }
}
