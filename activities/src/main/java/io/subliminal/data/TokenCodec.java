package io.subliminal.data;

/** The token-level view the dataset logic needs; the engine tokenizer plugs in here. */
public interface TokenCodec {

    /** Token ids of {@code text} without special tokens. */
    int[] encode(String text);

    /** Text of {@code ids} with special tokens skipped. */
    String decode(int[] ids);

    /** True when {@code id} is one of the ten single-digit tokens "0".."9". */
    boolean isSingleDigit(int id);
}
