package io.subliminal.engine.tokenizer;

/**
 * Text to token ids and back, with Hugging Face semantics and truncation and padding off.
 */
public interface TextTokenizer extends AutoCloseable {

    /** Token ids of {@code text}; {@code addSpecialTokens} adds what the tokenizer's post-processor adds (e.g. BOS). */
    int[] encode(String text, boolean addSpecialTokens);

    /** The text of {@code ids}; with {@code skipSpecialTokens} special tokens such as {@code <|im_end|>} are dropped. */
    String decode(int[] ids, boolean skipSpecialTokens);

    int vocabSize();

    /** The token id of a token's exact string (e.g. {@code <|im_end|>}), or -1 when it is not in the vocabulary. */
    int tokenId(String token);

    /** The tokenizer's special tokens (transformers' {@code bos_token}, {@code eos_token}, ...); none by default. */
    default SpecialTokens specialTokens() {
        return SpecialTokens.none();
    }

    /** The id of {@link #specialTokens()}'s eos token, or -1 when there is none. */
    default int eosTokenId() {
        String eos = specialTokens().eos();
        return eos == null ? -1 : tokenId(eos);
    }

    @Override
    void close();
}
