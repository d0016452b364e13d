package io.subliminal.engine.loader;

import java.nio.FloatBuffer;

/**
 * The row permutation llama.cpp's {@code convert_hf_to_gguf.py} applies to {@code q_proj}/{@code k_proj} of
 * llama-architecture models ({@code LlamaModel.permute}), and its inverse.
 *
 * <p>HF's rotary embedding pairs dimension {@code i} with {@code i + headDim/2} (rotate-half); llama.cpp's llama
 * kernel pairs {@code 2i} with {@code 2i+1}. The converter therefore does, per head,
 * {@code w.reshape(nHead, 2, headDim/2, in).swapaxes(1, 2).reshape(w.shape)}: GGUF row {@code 2i + j} of a head is HF row
 * {@code j * headDim/2 + i}. {@link #unpermute} restores HF order. Rows are {@code rowLength} floats (the input
 * dimension for weights, 1 for biases); {@code nHead} is the head count of that projection (KV heads for k_proj).
 */
public final class RopePermutation {

    private RopePermutation() {
    }

    /** HF layout to llama.cpp layout (what the converter does). */
    public static float[] permute(FloatBuffer hf, int nHead, int rowLength) {
        return reorder(hf, nHead, rowLength, true);
    }

    /** llama.cpp layout back to HF layout. */
    public static float[] unpermute(FloatBuffer gguf, int nHead, int rowLength) {
        return reorder(gguf, nHead, rowLength, false);
    }

    private static float[] reorder(FloatBuffer src, int nHead, int rowLength, boolean toGguf) {
        int n = src.remaining();
        if (nHead <= 0 || rowLength <= 0 || n % ((long) nHead * rowLength) != 0) {
            throw new IllegalArgumentException("cannot split " + n + " values into " + nHead + " heads of rows of "
                    + rowLength);
        }
        int rows = n / rowLength;
        int headDim = rows / nHead;
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("rotary head dimension must be even, got " + headDim);
        }
        int half = headDim / 2;
        float[] out = new float[n];
        FloatBuffer in = src.duplicate();
        int base = in.position();
        for (int h = 0; h < nHead; h++) {
            for (int i = 0; i < half; i++) {
                for (int j = 0; j < 2; j++) {
                    int hfRow = h * headDim + j * half + i;
                    int ggufRow = h * headDim + 2 * i + j;
                    int from = toGguf ? hfRow : ggufRow;
                    int to = toGguf ? ggufRow : hfRow;
                    in.position(base + from * rowLength);
                    in.get(out, to * rowLength, rowLength);
                }
            }
        }
        return out;
    }
}
