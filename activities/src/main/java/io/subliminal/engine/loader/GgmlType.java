package io.subliminal.engine.loader;

/**
 * ggml tensor types as stored in GGUF files: the id in the file, the elements per block and the bytes per block.
 * {@link #dequantizable()} marks the types {@link GgmlDequantizer} can turn into float32.
 */
public enum GgmlType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 18, true),
    Q4_1(3, 32, 20, true),
    Q5_0(6, 32, 22, true),
    Q5_1(7, 32, 24, true),
    Q8_0(8, 32, 34, true),
    Q8_1(9, 32, 36, false),
    Q2_K(10, 256, 84, false),
    Q3_K(11, 256, 110, false),
    Q4_K(12, 256, 144, true),
    Q5_K(13, 256, 176, true),
    Q6_K(14, 256, 210, true),
    Q8_K(15, 256, 292, false),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    BF16(30, 1, 2, true);

    private final int id;
    private final int blockSize;
    private final int typeSize;
    private final boolean dequantizable;

    GgmlType(int id, int blockSize, int typeSize, boolean dequantizable) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
        this.dequantizable = dequantizable;
    }

    public int id() {
        return id;
    }

    /** Elements per block (1 for plain types, 32 for Q4_0/Q4_1/Q5_x/Q8_0, 256 for k-quants). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    public boolean dequantizable() {
        return dequantizable;
    }

    /** Bytes of {@code numel} elements; {@code numel} must be a multiple of the block size. */
    public long byteSize(long numel) {
        if (numel % blockSize != 0) {
            throw new IllegalArgumentException(this + " needs a multiple of " + blockSize + " elements, got " + numel);
        }
        return Math.multiplyExact(numel / blockSize, (long) typeSize);
    }

    /** The type with file id {@code id}, or an {@link IllegalArgumentException} naming it. */
    public static GgmlType ofId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown or unsupported ggml tensor type id " + id);
    }
}
