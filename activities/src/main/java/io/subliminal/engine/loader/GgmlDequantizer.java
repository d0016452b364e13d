package io.subliminal.engine.loader;

import io.subliminal.engine.weights.HalfFloats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * ggml block formats to float32, written after ggml's reference {@code dequantize_row_*} functions
 * (ggml-quants.c), with the same float32 operation order so results are bit-identical to the reference
 * (checked against the {@code gguf} Python package in the tests).
 *
 * <p>Block layouts (little-endian, {@code d}/{@code m}/{@code dmin} are F16):
 * Q4_0 {d, qs[16]}: x = (nibble - 8) * d, low nibbles are elements 0..15, high nibbles 16..31.
 * Q4_1 {d, m, qs[16]}: x = nibble * d + m.
 * Q5_0 {d, qh[4], qs[16]} / Q5_1 {d, m, qh[4], qs[16]}: a fifth bit per element from qh.
 * Q8_0 {d, qs[32] int8}: x = q * d.
 * Q4_K {d, dmin, scales[12], qs[128]}, Q5_K {d, dmin, scales[12], qh[32], qs[128]}: 8 sub-blocks of 32 with 6-bit
 * scales and mins. Q6_K {ql[128], qh[64], scales[16] int8, d}: 16 sub-blocks of 16.
 */
public final class GgmlDequantizer {

    private static final int QK_K = 256;

    private GgmlDequantizer() {
    }

    /**
     * Dequantizes {@code numel} elements of {@code type} from {@code src} (read from its position on) into
     * {@code out} (written from its position on).
     */
    public static void dequantize(GgmlType type, ByteBuffer src, FloatBuffer out, long numel) {
        ByteBuffer b = src.slice().order(ByteOrder.LITTLE_ENDIAN);
        long need = type.byteSize(numel);
        if (b.remaining() < need) {
            throw new IllegalArgumentException(type + " data has " + b.remaining() + " bytes, needs " + need);
        }
        long blocks = numel / type.blockSize();
        float[] y = new float[type.blockSize()];
        int ts = type.typeSize();
        for (long i = 0; i < blocks; i++) {
            int o = Math.toIntExact(i * ts);
            switch (type) {
                case F32 -> y[0] = b.getFloat(o);
                case F16 -> y[0] = HalfFloats.f16ToFloat(b.getShort(o));
                case BF16 -> y[0] = HalfFloats.bf16ToFloat(b.getShort(o));
                case Q4_0 -> q4_0(b, o, y);
                case Q4_1 -> q4_1(b, o, y);
                case Q5_0 -> q5_0(b, o, y);
                case Q5_1 -> q5_1(b, o, y);
                case Q8_0 -> q8_0(b, o, y);
                case Q4_K -> q4_k(b, o, y);
                case Q5_K -> q5_k(b, o, y);
                case Q6_K -> q6_k(b, o, y);
                default -> throw new IllegalArgumentException("cannot dequantize ggml type " + type);
            }
            out.put(y);
        }
    }

    private static float half(ByteBuffer b, int at) {
        return HalfFloats.f16ToFloat(b.getShort(at));
    }

    private static int u8(ByteBuffer b, int at) {
        return b.get(at) & 0xff;
    }

    static void q4_0(ByteBuffer b, int o, float[] y) {
        float d = half(b, o);
        for (int j = 0; j < 16; j++) {
            int q = u8(b, o + 2 + j);
            y[j] = ((q & 0x0f) - 8) * d;
            y[j + 16] = ((q >>> 4) - 8) * d;
        }
    }

    static void q4_1(ByteBuffer b, int o, float[] y) {
        float d = half(b, o);
        float m = half(b, o + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(b, o + 4 + j);
            y[j] = (q & 0x0f) * d + m;
            y[j + 16] = (q >>> 4) * d + m;
        }
    }

    static void q5_0(ByteBuffer b, int o, float[] y) {
        float d = half(b, o);
        int qh = b.getInt(o + 2);
        for (int j = 0; j < 16; j++) {
            int q = u8(b, o + 6 + j);
            int xh0 = ((qh >>> j) << 4) & 0x10;
            int xh1 = (qh >>> (j + 12)) & 0x10;
            y[j] = (((q & 0x0f) | xh0) - 16) * d;
            y[j + 16] = (((q >>> 4) | xh1) - 16) * d;
        }
    }

    static void q5_1(ByteBuffer b, int o, float[] y) {
        float d = half(b, o);
        float m = half(b, o + 2);
        int qh = b.getInt(o + 4);
        for (int j = 0; j < 16; j++) {
            int q = u8(b, o + 8 + j);
            int xh0 = ((qh >>> j) << 4) & 0x10;
            int xh1 = (qh >>> (j + 12)) & 0x10;
            y[j] = ((q & 0x0f) | xh0) * d + m;
            y[j + 16] = ((q >>> 4) | xh1) * d + m;
        }
    }

    static void q8_0(ByteBuffer b, int o, float[] y) {
        float d = half(b, o);
        for (int j = 0; j < 32; j++) {
            y[j] = b.get(o + 2 + j) * d;
        }
    }

    /** ggml's {@code get_scale_min_k4}: the 6-bit scale (index 0) and min (index 1) of sub-block {@code j}. */
    private static void scaleMin(ByteBuffer b, int scales, int j, int[] sm) {
        if (j < 4) {
            sm[0] = u8(b, scales + j) & 63;
            sm[1] = u8(b, scales + j + 4) & 63;
        } else {
            sm[0] = (u8(b, scales + j + 4) & 0x0f) | ((u8(b, scales + j - 4) >>> 6) << 4);
            sm[1] = (u8(b, scales + j + 4) >>> 4) | ((u8(b, scales + j) >>> 6) << 4);
        }
    }

    static void q4_k(ByteBuffer b, int o, float[] y) {
        float d = half(b, o);
        float min = half(b, o + 2);
        int scales = o + 4;
        int q = o + 16;
        int[] sm = new int[2];
        int yi = 0;
        for (int is = 0; is < 8; is += 2) {
            scaleMin(b, scales, is, sm);
            float d1 = d * sm[0];
            float m1 = min * sm[1];
            scaleMin(b, scales, is + 1, sm);
            float d2 = d * sm[0];
            float m2 = min * sm[1];
            for (int l = 0; l < 32; l++) {
                y[yi++] = d1 * (u8(b, q + l) & 0x0f) - m1;
            }
            for (int l = 0; l < 32; l++) {
                y[yi++] = d2 * (u8(b, q + l) >>> 4) - m2;
            }
            q += 32;
        }
    }

    static void q5_k(ByteBuffer b, int o, float[] y) {
        float d = half(b, o);
        float min = half(b, o + 2);
        int scales = o + 4;
        int qh = o + 16;
        int ql = o + 48;
        int[] sm = new int[2];
        int yi = 0;
        int u1 = 1;
        int u2 = 2;
        for (int is = 0; is < 8; is += 2) {
            scaleMin(b, scales, is, sm);
            float d1 = d * sm[0];
            float m1 = min * sm[1];
            scaleMin(b, scales, is + 1, sm);
            float d2 = d * sm[0];
            float m2 = min * sm[1];
            for (int l = 0; l < 32; l++) {
                y[yi++] = d1 * ((u8(b, ql + l) & 0x0f) + ((u8(b, qh + l) & u1) != 0 ? 16 : 0)) - m1;
            }
            for (int l = 0; l < 32; l++) {
                y[yi++] = d2 * ((u8(b, ql + l) >>> 4) + ((u8(b, qh + l) & u2) != 0 ? 16 : 0)) - m2;
            }
            ql += 32;
            u1 <<= 2;
            u2 <<= 2;
        }
    }

    static void q6_k(ByteBuffer b, int o, float[] y) {
        int ql = o;
        int qh = o + 128;
        int sc = o + 192;
        float d = half(b, o + 208);
        for (int n = 0; n < QK_K; n += 128) {
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int h = u8(b, qh + l);
                int q1 = ((u8(b, ql + l) & 0x0f) | ((h & 3) << 4)) - 32;
                int q2 = ((u8(b, ql + l + 32) & 0x0f) | (((h >>> 2) & 3) << 4)) - 32;
                int q3 = ((u8(b, ql + l) >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                int q4 = ((u8(b, ql + l + 32) >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                y[n + l] = d * b.get(sc + is) * q1;
                y[n + l + 32] = d * b.get(sc + is + 2) * q2;
                y[n + l + 64] = d * b.get(sc + is + 4) * q3;
                y[n + l + 96] = d * b.get(sc + is + 6) * q4;
            }
            ql += 64;
            qh += 32;
            sc += 8;
        }
    }
}
