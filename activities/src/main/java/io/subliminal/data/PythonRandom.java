package io.subliminal.data;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * CPython 3.11's {@code random.Random}: MT19937 seeded from an int through {@code init_by_array}, and the exact
 * algorithms of {@code random()}, {@code getrandbits}, {@code _randbelow}, {@code choice}, {@code shuffle} and
 * {@code sample} (including its pool/set switch), so index subsets match the original scripts bit for bit.
 * Not thread-safe.
 */
public final class PythonRandom {

    private static final int N = 624;
    private static final int M = 397;
    private final int[] mt = new int[N];
    private int mti;

    /** {@code random.Random(seed)} for an int seed (negative seeds use abs(seed), as CPython does). */
    public PythonRandom(long seed) {
        this(BigInteger.valueOf(seed));
    }

    /** {@code random.Random(seed)} for an arbitrary-size int seed. */
    public PythonRandom(BigInteger seed) {
        BigInteger s = seed.abs();
        int words = Math.max(1, (s.bitLength() + 31) / 32);
        int[] key = new int[words];
        for (int i = 0; i < words; i++) {
            key[i] = s.shiftRight(32 * i).intValue();
        }
        initByArray(key);
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (mti = 1; mti < N; mti++) {
            mt[mti] = 1812433253 * (mt[mti - 1] ^ (mt[mti - 1] >>> 30)) + mti;
        }
    }

    private void initByArray(int[] key) {
        initGenrand(19650218);
        int i = 1;
        int j = 0;
        for (int k = Math.max(N, key.length); k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + key[j] + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= key.length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = 0x80000000;
        mti = N;
    }

    /** The next raw 32-bit MT19937 output ({@code genrand_uint32}), as an unsigned value in a long. */
    public long nextUint32() {
        if (mti >= N) {
            for (int kk = 0; kk < N; kk++) {
                int y = (mt[kk] & 0x80000000) | (mt[(kk + 1) % N] & 0x7fffffff);
                mt[kk] = mt[(kk + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
            }
            mti = 0;
        }
        int y = mt[mti++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return Integer.toUnsignedLong(y);
    }

    /** {@code random()}: a double in [0, 1) with 53 random bits. */
    public double random() {
        long a = nextUint32() >>> 5;
        long b = nextUint32() >>> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    /** {@code getrandbits(k)} for 0 &lt;= k &lt;= 63 (32-bit words filled little-endian, the last one truncated). */
    public long getrandbits(int k) {
        if (k < 0 || k > 63) {
            throw new IllegalArgumentException("getrandbits: k must be in [0, 63], got " + k);
        }
        if (k == 0) {
            return 0;
        }
        if (k <= 32) {
            return nextUint32() >>> (32 - k);
        }
        long low = nextUint32();
        long high = nextUint32() >>> (64 - k);
        return (high << 32) | low;
    }

    /** {@code _randbelow(n)}: rejection sampling on {@code getrandbits(n.bit_length())}. */
    public long randbelow(long n) {
        if (n <= 0) {
            throw new IllegalArgumentException("randbelow: n must be positive, got " + n);
        }
        int k = 64 - Long.numberOfLeadingZeros(n);
        long r = getrandbits(k);
        while (r >= n) {
            r = getrandbits(k);
        }
        return r;
    }

    /** {@code choice(seq)}. */
    public <T> T choice(List<T> seq) {
        if (seq.isEmpty()) {
            throw new IndexOutOfBoundsException("choice: cannot choose from an empty sequence");
        }
        return seq.get((int) randbelow(seq.size()));
    }

    /** {@code shuffle(x)} in place (Fisher-Yates from the end). */
    public <T> void shuffle(List<T> x) {
        for (int i = x.size() - 1; i >= 1; i--) {
            int j = (int) randbelow(i + 1);
            T t = x.get(i);
            x.set(i, x.get(j));
            x.set(j, t);
        }
    }

    /**
     * {@code sample(population, k)}: k distinct elements in selection order. Uses CPython's pool method when
     * {@code n <= 21 + 4^ceil(log_4(3k))} (the power term only for k &gt; 5), otherwise the set method.
     */
    public <T> List<T> sample(List<T> population, int k) {
        int n = population.size();
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("sample: sample larger than population or is negative (k=" + k + ", n=" + n + ")");
        }
        List<T> result = new ArrayList<>(k);
        if (n <= setSize(k)) {
            List<T> pool = new ArrayList<>(population);
            for (int i = 0; i < k; i++) {
                int j = (int) randbelow(n - i);
                result.add(pool.get(j));
                pool.set(j, pool.get(n - i - 1));
            }
        } else {
            Set<Integer> selected = new HashSet<>();
            for (int i = 0; i < k; i++) {
                int j = (int) randbelow(n);
                while (selected.contains(j)) {
                    j = (int) randbelow(n);
                }
                selected.add(j);
                result.add(population.get(j));
            }
        }
        return result;
    }

    /** {@code sample(range(n), k)} as an int array. */
    public int[] sampleRange(int n, int k) {
        List<Integer> range = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            range.add(i);
        }
        return sample(range, k).stream().mapToInt(Integer::intValue).toArray();
    }

    static long setSize(int k) {
        long setsize = 21;
        if (k > 5) {
            setsize += (long) Math.pow(4, Math.ceil(Math.log(k * 3.0) / Math.log(4)));
        }
        return setsize;
    }
}
