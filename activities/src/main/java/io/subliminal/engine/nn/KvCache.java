package io.subliminal.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Preallocated key/value cache: per layer {@code [B, kvHeads, maxLen, headDim]} keys and values in the compute
 * type, written in place slot by slot, plus the attention mask of every slot written so far (left-padded rows
 * have zeros in their leading slots). Slots are shared by all rows; positions are per row.
 */
public final class KvCache implements AutoCloseable {

    private final NDArray[] keys;
    private final NDArray[] values;
    private final int rows;
    private final int capacity;
    private final int[] valid;
    private int length;

    KvCache(NDManager manager, int layers, int rows, int kvHeads, int capacity, int headDim,
            ai.djl.ndarray.types.DataType type) {
        if (rows <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("KV cache needs rows > 0 and capacity > 0: " + rows + ", " + capacity);
        }
        this.rows = rows;
        this.capacity = capacity;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        Shape shape = new Shape(rows, kvHeads, capacity, headDim);
        for (int l = 0; l < layers; l++) {
            keys[l] = manager.zeros(shape, type);
            values[l] = manager.zeros(shape, type);
            NDScope.unregister(keys[l], values[l]);
        }
        this.valid = new int[rows * capacity];
    }

    private KvCache(NDArray[] keys, NDArray[] values, int rows, int capacity, int[] valid, int length) {
        this.keys = keys;
        this.values = values;
        this.rows = rows;
        this.capacity = capacity;
        this.valid = valid;
        this.length = length;
    }

    /**
     * A new cache of {@code rows * factor} rows holding every row's slots {@code factor} times in a row (new row
     * {@code r * factor + j} = old row {@code r}), at the same length: continuations of a shared prefix fan out
     * without recomputing it. This cache is left unchanged; the caller closes both.
     */
    public KvCache repeatRows(int factor) {
        if (factor <= 0) {
            throw new IllegalArgumentException("repeat factor must be > 0, got " + factor);
        }
        NDArray[] k = new NDArray[keys.length];
        NDArray[] v = new NDArray[values.length];
        for (int l = 0; l < keys.length; l++) {
            k[l] = keys[l].repeat(0, factor);
            v[l] = values[l].repeat(0, factor);
            NDScope.unregister(k[l], v[l]);
        }
        int[] mask = new int[rows * factor * capacity];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < factor; j++) {
                System.arraycopy(valid, r * capacity, mask, (r * factor + j) * capacity, capacity);
            }
        }
        return new KvCache(k, v, rows * factor, capacity, mask, length);
    }

    public int rows() {
        return rows;
    }

    public int capacity() {
        return capacity;
    }

    /** Number of slots written so far. */
    public int length() {
        return length;
    }

    /** The mask of slots {@code [0, length + T)} if a step with {@code stepMask [B, T]} were appended, row-major. */
    int[] validWith(int[] stepMask, int steps) {
        int slots = length + steps;
        if (slots > capacity) {
            throw new IllegalStateException("KV cache overflow: " + slots + " slots needed, capacity " + capacity);
        }
        int[] out = new int[rows * slots];
        for (int b = 0; b < rows; b++) {
            System.arraycopy(valid, b * capacity, out, b * slots, length);
            System.arraycopy(stepMask, b * steps, out, b * slots + length, steps);
        }
        return out;
    }

    /** Writes this step's {@code [B, kvHeads, T, headDim]} keys and values at slots {@code [length, length + T)}. */
    void write(int layer, NDArray k, NDArray v) {
        long t = k.getShape().get(2);
        NDIndex slots = new NDIndex().addAllDim().addAllDim().addSliceDim(length, length + t);
        keys[layer].set(slots, k);
        values[layer].set(slots, v);
    }

    /** Keys of slots {@code [0, end)}. */
    NDArray keys(int layer, int end) {
        return keys[layer].get(new NDIndex().addAllDim().addAllDim().addSliceDim(0, end));
    }

    NDArray values(int layer, int end) {
        return values[layer].get(new NDIndex().addAllDim().addAllDim().addSliceDim(0, end));
    }

    /** Commits a step: its mask becomes part of the history. */
    void advance(int[] stepMask, int steps) {
        for (int b = 0; b < rows; b++) {
            System.arraycopy(stepMask, b * steps, valid, b * capacity + length, steps);
        }
        length += steps;
    }

    /** Forgets everything written (the buffers are reused). */
    public void reset() {
        length = 0;
        java.util.Arrays.fill(valid, 0);
    }

    @Override
    public void close() {
        for (int l = 0; l < keys.length; l++) {
            keys[l].close();
            values[l].close();
        }
    }
}
