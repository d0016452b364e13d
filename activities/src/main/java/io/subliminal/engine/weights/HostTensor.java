package io.subliminal.engine.weights;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * One weight tensor in host memory as float32, row-major, in Hugging Face layout ({@code [out, in]} for linear
 * layers). The buffer may be a zero-copy view of a memory-mapped file; it stays valid while its {@link Weights}
 * is open.
 */
public record HostTensor(String name, long[] shape, FloatBuffer data) {

    public HostTensor {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: " + Arrays.toString(shape));
            }
            n *= d;
        }
        if (data.remaining() != n) {
            throw new IllegalArgumentException("tensor '" + name + "' shape " + Arrays.toString(shape)
                    + " needs " + n + " values but has " + data.remaining());
        }
    }

    public long numel() {
        return data.remaining();
    }

    /** A copy of the values (tests and small tensors only). */
    public float[] toArray() {
        float[] out = new float[data.remaining()];
        data.duplicate().get(out);
        return out;
    }

    @Override
    public String toString() {
        return "HostTensor[" + name + " " + Arrays.toString(shape) + "]";
    }
}
