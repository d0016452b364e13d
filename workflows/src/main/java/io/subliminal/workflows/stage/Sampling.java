package io.subliminal.workflows.stage;

/**
 * Decoding settings of a generation. A {@code null} field is NOT passed to the sampler, so the model's own
 * generation_config value applies (PROTOCOL.md §3.4, §8: Qwen keeps top_k 20, top_p 0.8 and repetition penalty 1.05
 * in temperature sampling unless a value is given here).
 *
 * @param greedy argmax decoding (temperature, topP and topK must then be null)
 * @param temperature sampling temperature, or null for generation_config
 * @param topP nucleus threshold, or null for generation_config
 * @param topK top-k cut, or null for generation_config
 * @param repetitionPenalty HF repetition penalty, or null for generation_config (1.0 switches it off)
 */
public record Sampling(boolean greedy, Double temperature, Double topP, Integer topK, Double repetitionPenalty) {

    public Sampling {
        if (greedy) {
            Checks.check(temperature == null && topP == null && topK == null,
                    "sampling.greedy excludes temperature/topP/topK, got temperature=" + temperature + " topP=" + topP + " topK=" + topK);
        }
        if (temperature != null) {
            Checks.positive("sampling.temperature", temperature);
        }
        if (topP != null) {
            Checks.fraction("sampling.topP", topP);
        }
        if (topK != null) {
            Checks.positive("sampling.topK", topK);
        }
        if (repetitionPenalty != null) {
            Checks.positive("sampling.repetitionPenalty", repetitionPenalty);
        }
    }

    /** The paper's "temperature sampling": only the temperature is passed; the rest comes from generation_config. */
    public static Sampling temperature(double temperature) {
        return new Sampling(false, temperature, null, null, null);
    }

    /** Temperature and top-p passed explicitly (preference evaluation, §8; Figs 14-15). */
    public static Sampling temperatureTopP(double temperature, double topP) {
        return new Sampling(false, temperature, topP, null, null);
    }

    /** The preference generator's {@code greedy}: pure argmax, repetition penalty forced to 1.0 (§3.4). */
    public static Sampling argmax() {
        return new Sampling(true, null, null, null, 1.0);
    }

    /** The misalignment generator's {@code greedy}: argmax but generation_config's repetition penalty stays (§11.4). */
    public static Sampling argmaxKeepingRepetitionPenalty() {
        return new Sampling(true, null, null, null, null);
    }
}
