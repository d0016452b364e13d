package io.subliminal.engine.nn;

import io.subliminal.engine.model.ModelConfig;

/**
 * Inverse frequencies of rotary position embeddings, as Hugging Face computes them in float32:
 * {@code inv_freq[i] = 1 / base^(2i/d)}, then {@code rope_scaling} ({@code linear}: divided by the factor;
 * {@code llama3}: wavelength-dependent smoothing). The returned vector is duplicated ({@code cat(f, f)}, length
 * {@code headDim}) so that {@code angle = position * invFreq} lines up with HF's {@code emb = cat(freqs, freqs)}.
 */
public final class RotaryEmbedding {

    private RotaryEmbedding() {
    }

    /** Frequencies of the global (full-attention) layers. */
    public static float[] globalInverseFrequencies(ModelConfig c) {
        return inverseFrequencies(c.headDim(), c.ropeTheta(), c.ropeScaling());
    }

    /** Frequencies of Gemma 3's sliding layers: {@code rope_local_base_freq}, no scaling. */
    public static float[] localInverseFrequencies(ModelConfig c) {
        double base = c.ropeLocalTheta() != null ? c.ropeLocalTheta() : c.ropeTheta();
        return inverseFrequencies(c.headDim(), base, null);
    }

    public static float[] inverseFrequencies(int dim, double base, ModelConfig.RopeScaling scaling) {
        int half = dim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) dim;
            inv[i] = 1.0f / (float) Math.pow((float) base, exponent);
        }
        if (scaling != null && "linear".equals(scaling.type())) {
            float factor = (float) scaling.factor();
            for (int i = 0; i < half; i++) {
                inv[i] = inv[i] / factor;
            }
        } else if (scaling != null && "llama3".equals(scaling.type())) {
            llama3(inv, scaling);
        }
        float[] full = new float[dim];
        System.arraycopy(inv, 0, full, 0, half);
        System.arraycopy(inv, 0, full, half, half);
        return full;
    }

    /** HF {@code _compute_llama3_parameters}, in float32 like torch. */
    private static void llama3(float[] inv, ModelConfig.RopeScaling s) {
        float factor = (float) s.factor();
        float low = (float) s.lowFreqFactor();
        float high = (float) s.highFreqFactor();
        float oldContext = s.originalMaxPositionEmbeddings();
        float lowFreqWavelen = oldContext / low;
        float highFreqWavelen = oldContext / high;
        for (int i = 0; i < inv.length; i++) {
            float wavelen = (float) (2 * Math.PI) / inv[i];
            float scaled = wavelen > lowFreqWavelen ? inv[i] / factor : inv[i];
            boolean medium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
            if (medium) {
                float smooth = (oldContext / wavelen - low) / (high - low);
                scaled = (1 - smooth) * scaled / factor + smooth * scaled;
            }
            inv[i] = scaled;
        }
    }
}
