package io.subliminal.engine.nn;

/**
 * Additive attention masks {@code [B, T, S]} over cache slots: query slot {@code q} may attend key slot {@code s}
 * when {@code s <= q}, slot {@code s} holds a real token, and, for sliding-window layers, {@code q - s < window}
 * (HF's {@code kv_idx > q_idx - sliding_window} on cache positions, so left padding counts toward the window).
 * Disallowed entries get a large finite negative value ({@link #blocked}), so fully masked padding rows stay finite.
 */
public final class AttentionMask {

    public static final float BLOCKED = -1.0e30f;
    /** {@link #BLOCKED} for float16 masks (largest finite float16 is 65504): added to any score it stays finite. */
    public static final float BLOCKED_HALF = -30000f;

    private AttentionMask() {
    }

    /** The value of a disallowed entry in a mask of {@code type}: -1e30 does not exist in float16. */
    public static float blocked(ai.djl.ndarray.types.DataType type) {
        return type == ai.djl.ndarray.types.DataType.FLOAT16 ? BLOCKED_HALF : BLOCKED;
    }

    /**
     * @param valid {@code [B, S]} 1 for real tokens in every slot written so far (including this step's)
     * @param firstQuery slot of this step's first query
     * @param queries number of query slots T
     * @param window sliding window, or null for full causal attention
     * @param blocked the value of disallowed entries ({@link #blocked})
     */
    public static float[] additive(int[] valid, int rows, int slots, int firstQuery, int queries, Integer window,
                                   float blocked) {
        float[] mask = new float[rows * queries * slots];
        for (int b = 0; b < rows; b++) {
            for (int t = 0; t < queries; t++) {
                int q = firstQuery + t;
                int base = (b * queries + t) * slots;
                for (int s = 0; s < slots; s++) {
                    boolean allowed = s <= q && valid[b * slots + s] == 1 && (window == null || q - s < window);
                    mask[base + s] = allowed ? 0f : blocked;
                }
            }
        }
        return mask;
    }

    /** HF position ids: {@code cumsum(mask) - 1}, and 1 at padding slots; returned for the last {@code queries} slots. */
    public static long[] positionIds(int[] valid, int rows, int slots, int queries) {
        long[] pos = new long[rows * queries];
        for (int b = 0; b < rows; b++) {
            long count = 0;
            for (int s = 0; s < slots; s++) {
                count += valid[b * slots + s];
                int t = s - (slots - queries);
                if (t >= 0) {
                    pos[b * queries + t] = valid[b * slots + s] == 1 ? count - 1 : 1;
                }
            }
        }
        return pos;
    }
}
