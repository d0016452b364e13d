package io.subliminal.engine.loader;

/**
 * The element types a safetensors header may name, with their byte sizes. Only the floating types
 * ({@link #isFloat()}) can be read as float32 weights.
 */
public enum SafetensorsDtype {
    F64(8, true), F32(4, true), F16(2, true), BF16(2, true),
    F8_E4M3(1, false), F8_E5M2(1, false),
    I64(8, false), I32(4, false), I16(2, false), I8(1, false),
    U64(8, false), U32(4, false), U16(2, false), U8(1, false), BOOL(1, false);

    private final int bytes;
    private final boolean isFloat;

    SafetensorsDtype(int bytes, boolean isFloat) {
        this.bytes = bytes;
        this.isFloat = isFloat;
    }

    public int bytes() {
        return bytes;
    }

    /** True for the types this reader converts to float32: F64, F32, F16, BF16. */
    public boolean isFloat() {
        return isFloat;
    }

    /** The dtype named {@code name}, or an {@link IllegalArgumentException} naming it. */
    public static SafetensorsDtype parse(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown safetensors dtype '" + name + "'");
    }
}
