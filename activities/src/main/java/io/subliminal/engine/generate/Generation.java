package io.subliminal.engine.generate;

/**
 * The new tokens of one row.
 *
 * @param tokens generated ids, ending with the EOS id when {@code stopped}
 * @param stopped true when the row emitted an EOS id, false when it hit max_new_tokens
 */
public record Generation(int[] tokens, boolean stopped) {
}
