package io.subliminal.engine.weights;

/**
 * IEEE half precision (F16) and bfloat16 (BF16) to float32, bit-exact (subnormals, infinities and NaNs included).
 * BF16 is the top half of a float32; F16 is widened like numpy's {@code float16 -> float32}.
 */
public final class HalfFloats {

    private HalfFloats() {
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    public static float f16ToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {                         // inf / nan
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp != 0) {                            // normal
            return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
        }
        if (mant == 0) {                           // +-0
            return Float.intBitsToFloat(sign);
        }
        // subnormal: mant * 2^-24, exact in float32
        float v = mant * 0x1p-24f;
        return sign != 0 ? -v : v;
    }
}
