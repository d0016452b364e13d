package io.subliminal.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import io.subliminal.engine.nn.Adapter;
import io.subliminal.engine.nn.Casts;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A LoRA adapter on one linear projection, in PEFT's layout: {@code delta(x) = B (A dropout(x)) * alpha / r} with
 * A [r, in] and B [out, r], both float32 with gradients attached.
 *
 * <p>Initialisation follows PEFT's default ({@code init_lora_weights=True}): A is Kaiming-uniform with
 * a = sqrt(5), i.e. U(-1/sqrt(in), 1/sqrt(in)), and B is zero, so a fresh adapter leaves the model unchanged.
 * PROTOCOL 7.2 QUIRK: the original code initialises A from an unseeded torch RNG; here A comes from a
 * {@link SplittableRandom} seeded by the run seed and the module path, so a run is reproducible (the values differ
 * from any torch draw). Dropout uses torch's generator; the trainer reseeds it per micro-batch so it is resumable.
 */
public final class LoraAdapter implements Adapter, AutoCloseable {

    private final LoraTarget target;
    private final NDArray a;
    private final NDArray b;
    private final double scaling;
    private final float dropout;
    /** alpha / r as a native 0-d constant, kept alive for autograd (DJL op(Number) trap). */
    private final NDArray scale;
    private boolean training = true;

    private LoraAdapter(LoraTarget target, NDArray a, NDArray b, LoraConfig config) {
        this.target = target;
        this.a = a;
        this.b = b;
        this.scaling = config.scaling();
        this.dropout = (float) config.dropout();
        this.scale = a.getManager().full(new Shape(), (float) scaling);
        NDScope.unregister(scale);
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
    }

    /** A fresh adapter: A Kaiming-uniform from {@code seed} and the module path, B zero. */
    public static LoraAdapter initialise(LoraTarget target, LoraConfig config, long seed, NDManager manager) {
        int r = config.rank();
        int in = target.inFeatures();
        double bound = 1.0 / Math.sqrt(in);
        SplittableRandom rng = new SplittableRandom(mix(seed, target.modulePath()));
        float[] values = new float[r * in];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((2 * rng.nextDouble() - 1) * bound);
        }
        NDArray a = nativeCopy(manager, values, new Shape(r, in));
        NDArray b = manager.zeros(new Shape(target.outFeatures(), r), DataType.FLOAT32);
        NDScope.unregister(b);
        return new LoraAdapter(target, a, b, config);
    }

    /** An adapter from saved weights A [r, in] and B [out, r] (copied into {@code manager}). */
    public static LoraAdapter of(LoraTarget target, LoraConfig config, float[] aValues, float[] bValues,
                                 NDManager manager) {
        int r = config.rank();
        check(target.modulePath() + ".lora_A.weight", aValues.length, (long) r * target.inFeatures(),
                new long[] {r, target.inFeatures()});
        check(target.modulePath() + ".lora_B.weight", bValues.length, (long) target.outFeatures() * r,
                new long[] {target.outFeatures(), r});
        NDArray a = nativeCopy(manager, aValues, new Shape(r, target.inFeatures()));
        NDArray b = nativeCopy(manager, bValues, new Shape(target.outFeatures(), r));
        return new LoraAdapter(target, a, b, config);
    }

    /**
     * The update to add to the projection's output for input {@code x} [..., in]; returns [..., out] in x's dtype.
     * The adapter computes in x's dtype (float16 in a mixed-precision model, as PEFT under autocast): A and B are cast
     * on the way in with {@link Casts}, so their float32 gradients flow back through the cast.
     */
    @Override
    public NDArray delta(NDArray x) {
        DataType dtype = x.getDataType();
        NDArray h = x;
        if (training && dropout > 0) {
            h = h.getNDArrayInternal().dropout(h, dropout, true).singletonOrThrow();
        }
        NDArray y = Linear.linear(Linear.linear(h, Casts.to(a, dtype)).singletonOrThrow(), Casts.to(b, dtype))
                .singletonOrThrow();
        return scaling != 1.0 ? y.mul(scale) : y; // a 0-d float32 factor keeps y's dtype
    }

    /** Dropout is active only in training mode (the default). */
    public void setTraining(boolean training) {
        this.training = training;
    }

    public LoraTarget target() {
        return target;
    }

    /** lora_A.weight [r, in]. */
    public NDArray a() {
        return a;
    }

    /** lora_B.weight [out, r]. */
    public NDArray b() {
        return b;
    }

    @Override
    public void close() {
        a.close();
        b.close();
        scale.close();
    }

    /** A natively owned copy of {@code values} in {@code manager}, outside any {@link NDScope}. */
    static NDArray nativeCopy(NDManager manager, float[] values, Shape shape) {
        try (NDArray heap = manager.create(values, shape)) {
            NDArray copy = heap.duplicate();
            copy.attach(manager);
            NDScope.unregister(copy);
            return copy;
        }
    }

    private static void check(String name, long have, long want, long[] shape) {
        if (have != want) {
            throw new IllegalArgumentException("LoRA tensor '" + name + "' has " + have + " values, expected shape "
                    + Arrays.toString(shape));
        }
    }

    /** A per-module seed: the run seed mixed with the module path (String.hashCode is specified, so stable). */
    private static long mix(long seed, String path) {
        long z = seed * 0x9E3779B97F4A7C15L + path.hashCode();
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
