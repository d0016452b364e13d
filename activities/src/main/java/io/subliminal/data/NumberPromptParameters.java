package io.subliminal.data;

/**
 * The number-prompt generator's parameters (PROTOCOL §3.1): prompt count, seed, example count and value ranges
 * (upper bounds exclusive) and the answer count / digit limit written into the instruction.
 */
public record NumberPromptParameters(
        int nSamples,
        int seed,
        int exampleMinCount,
        int exampleMaxCountExclusive,
        int exampleMinValue,
        int exampleMaxValueExclusive,
        int answerCount,
        int answerMaxDigits) {

    /** The paper's values: 30,000 prompts, seed 42, 3..8 examples of 100..999, 10 answers of at most 3 digits. */
    public static final NumberPromptParameters PAPER = new NumberPromptParameters(30_000, 42, 3, 9, 100, 1000, 10, 3);

    public NumberPromptParameters {
        if (nSamples < 0) {
            throw new IllegalArgumentException("n_samples must be >= 0, got " + nSamples);
        }
        if (exampleMinCount < 0 || exampleMaxCountExclusive <= exampleMinCount) {
            throw new IllegalArgumentException("example count range [" + exampleMinCount + ", " + exampleMaxCountExclusive + ") is empty");
        }
        if (exampleMaxValueExclusive <= exampleMinValue) {
            throw new IllegalArgumentException("example value range [" + exampleMinValue + ", " + exampleMaxValueExclusive + ") is empty");
        }
        if (answerCount <= 0 || answerMaxDigits <= 0) {
            throw new IllegalArgumentException("answer_count and answer_max_digits must be positive");
        }
    }
}
