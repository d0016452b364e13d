package io.subliminal.data;

/** A character-level {@link TokenCodec} for tests: one token per UTF-16 char, id = the char code. */
final class CharCodec implements TokenCodec {

    @Override
    public int[] encode(String text) {
        return text.chars().toArray();
    }

    @Override
    public String decode(int[] ids) {
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append((char) id);
        }
        return sb.toString();
    }

    @Override
    public boolean isSingleDigit(int id) {
        return id >= '0' && id <= '9';
    }
}
