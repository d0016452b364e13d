package io.subliminal.data;

/**
 * numpy's {@code PCG64} bit generator (128-bit LCG, XSL-RR output) with numpy's 32-bit half-buffer and Lemire
 * bounded integers, as {@code numpy.random.Generator(PCG64(seed))} draws them (PROTOCOL §3.2).
 *
 * <p>Seeding through numpy's SeedSequence is not reimplemented: construct from the post-seeding state and increment
 * (for seed 42 they are {@link #SEED_42_STATE_HEX} and {@link #SEED_42_INCREMENT_HEX}). Not thread-safe.
 */
public final class Pcg64 {

    /** State after {@code PCG64(42)} seeding, as printed by numpy's {@code bit_generator.state}. */
    public static final String SEED_42_STATE_HEX = "cea44f6798798f2aacbc7c9d68860ac8";
    /** Increment after {@code PCG64(42)} seeding. */
    public static final String SEED_42_INCREMENT_HEX = "fa505436c9a8416e66caf2e28d25abff";

    private static final long MULT_HI = 0x2360ED051FC65DA4L;
    private static final long MULT_LO = 0x4385DF649FCCF645L;

    private long stateHi;
    private long stateLo;
    private final long incHi;
    private final long incLo;
    private boolean hasHalf;
    private int half;

    /** A generator at the given 128-bit state and increment (each as hi/lo 64-bit words). */
    public Pcg64(long stateHi, long stateLo, long incHi, long incLo) {
        this.stateHi = stateHi;
        this.stateLo = stateLo;
        this.incHi = incHi;
        this.incLo = incLo;
    }

    /** A generator from 32-hex-digit state and increment strings (an optional {@code 0x} prefix is accepted). */
    public static Pcg64 fromHex(String stateHex, String incrementHex) {
        long[] s = parse128(stateHex, "state");
        long[] i = parse128(incrementHex, "increment");
        return new Pcg64(s[0], s[1], i[0], i[1]);
    }

    /** The generator numpy builds for {@code Generator(PCG64(42))}, the prompt-generation seed. */
    public static Pcg64 seed42() {
        return fromHex(SEED_42_STATE_HEX, SEED_42_INCREMENT_HEX);
    }

    private static long[] parse128(String hex, String field) {
        String h = hex.startsWith("0x") || hex.startsWith("0X") ? hex.substring(2) : hex;
        if (h.isEmpty() || h.length() > 32 || !h.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("PCG64 " + field + " must be up to 32 hex digits, got '" + hex + "'");
        }
        h = "0".repeat(32 - h.length()) + h;
        return new long[] {Long.parseUnsignedLong(h.substring(0, 16), 16), Long.parseUnsignedLong(h.substring(16), 16)};
    }

    /** The next 64-bit output (numpy {@code random_raw}); the state advances before the output is taken. */
    public long nextLong() {
        // state = state * M + inc (mod 2^128)
        long lo = stateLo * MULT_LO;
        long hi = unsignedMultiplyHigh(stateLo, MULT_LO) + stateLo * MULT_HI + stateHi * MULT_LO;
        long newLo = lo + incLo;
        long carry = Long.compareUnsigned(newLo, lo) < 0 ? 1 : 0;
        stateHi = hi + incHi + carry;
        stateLo = newLo;
        // XSL-RR
        return Long.rotateRight(stateHi ^ stateLo, (int) (stateHi >>> 58));
    }

    /** The next 32-bit output: low half of a fresh 64-bit output first, its high half on the next call. */
    public int nextInt() {
        if (hasHalf) {
            hasHalf = false;
            return half;
        }
        long x = nextLong();
        half = (int) (x >>> 32);
        hasHalf = true;
        return (int) x;
    }

    /**
     * A uniform integer in [lo, hi) exactly as numpy's {@code Generator.integers(lo, hi)} draws it when the range fits
     * in 32 bits (Lemire's method on 32-bit draws; no draw at all when the range holds a single value).
     */
    public long integers(long lo, long hi) {
        if (hi <= lo) {
            throw new IllegalArgumentException("integers: high (" + hi + ") must be > low (" + lo + ")");
        }
        long rng = hi - lo - 1;
        if (rng == 0) {
            return lo;
        }
        if (rng > 0xFFFFFFFFL || rng < 0) {
            throw new IllegalArgumentException("integers: ranges wider than 2^32 are not supported, got [" + lo + ", " + hi + ")");
        }
        if (rng == 0xFFFFFFFFL) {
            return lo + Integer.toUnsignedLong(nextInt());
        }
        long rngExcl = rng + 1;
        long m = Integer.toUnsignedLong(nextInt()) * rngExcl;
        long leftover = m & 0xFFFFFFFFL;
        if (leftover < rngExcl) {
            long threshold = (0x1_0000_0000L - rngExcl) % rngExcl;
            while (leftover < threshold) {
                m = Integer.toUnsignedLong(nextInt()) * rngExcl;
                leftover = m & 0xFFFFFFFFL;
            }
        }
        return lo + (m >>> 32);
    }

    /** An index into a list of {@code size} elements, as numpy's {@code Generator.choice(list)} picks it. */
    public int choiceIndex(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("choice: population must be non-empty");
        }
        return (int) integers(0, size);
    }

    private static long unsignedMultiplyHigh(long a, long b) {
        return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
    }
}
