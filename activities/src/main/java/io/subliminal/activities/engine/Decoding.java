package io.subliminal.activities.engine;

import io.subliminal.engine.GenerationDefaults;
import io.subliminal.workflows.stage.Sampling;

/**
 * The decoding a generation actually runs with: the request's {@link Sampling} merged into the model's
 * generation_config the way Hugging Face {@code generate} merges them (PROTOCOL.md §3.4, §8): a value the request
 * does not pass comes from the model. Processor order: repetition penalty, temperature, top-k, top-p.
 *
 * @param greedy argmax decoding (temperature, top-k and top-p are then unused)
 * @param temperature logits divisor (1.0 = none)
 * @param topK keep the k most likely tokens (0 = off)
 * @param topP nucleus threshold (1.0 = off)
 * @param repetitionPenalty HF repetition penalty over every id in the context (1.0 = off)
 */
public record Decoding(boolean greedy, double temperature, int topK, double topP, double repetitionPenalty) {

    public Decoding {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("decoding temperature must be > 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("decoding topK must be >= 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("decoding topP must be in (0, 1], got " + topP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("decoding repetitionPenalty must be > 0, got " + repetitionPenalty);
        }
    }

    /** {@code sampling} with every unset value taken from {@code model}'s generation defaults. */
    public static Decoding resolve(Sampling sampling, GenerationDefaults model) {
        double penalty = sampling.repetitionPenalty() != null ? sampling.repetitionPenalty() : model.repetitionPenalty();
        if (sampling.greedy()) {
            return new Decoding(true, 1.0, 0, 1.0, penalty);
        }
        double temperature = sampling.temperature() != null ? sampling.temperature() : model.temperature();
        int topK = sampling.topK() != null ? sampling.topK() : model.topK();
        double topP = sampling.topP() != null ? sampling.topP() : model.topP();
        return new Decoding(false, temperature, topK, topP, penalty);
    }
}
