package io.subliminal.engine.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (versions 2 and 3): magic {@code GGUF}, version, tensor count, metadata key/values of every GGUF value
 * type (arrays included), tensor infos, then the tensor data, aligned to {@code general.alignment} (default 32).
 *
 * <p>Metadata values are {@link Long} (all integer types), {@link Float}, {@link Double}, {@link Boolean},
 * {@link String} or {@link List} of those. Tensor dimensions are kept as GGUF stores them ({@code ne[0]} first, the
 * innermost); {@link TensorInfo#hfShape()} gives the row-major (PyTorch) shape. Every structure is bounds-checked, so
 * a truncated or corrupt file fails with an error naming the file and what was being read.
 */
public final class GgufFile implements AutoCloseable {

    public static final int MAGIC = 0x46554747; // "GGUF" little-endian
    public static final int DEFAULT_ALIGNMENT = 32;
    private static final long CHUNK_BYTES = 1L << 30;

    /**
     * One tensor's info.
     *
     * @param dims GGUF dimension order (innermost first)
     * @param offset absolute file offset of the data
     */
    public record TensorInfo(String name, long[] dims, GgmlType type, long offset, long byteSize) {
        public long numel() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }

        /** Row-major shape as in PyTorch/HF: the GGUF dims reversed. */
        public long[] hfShape() {
            long[] s = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                s[i] = dims[dims.length - 1 - i];
            }
            return s;
        }

        @Override
        public String toString() {
            return name + " " + type + Arrays.toString(dims);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, TensorInfo> tensors;
    private final int alignment;
    private volatile boolean closed;

    private GgufFile(Path path, FileChannel channel, int version, Map<String, Object> metadata,
                     Map<String, TensorInfo> tensors, int alignment) {
        this.path = path;
        this.channel = channel;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.alignment = alignment;
    }

    /** Opens and validates a GGUF file. */
    public static GgufFile open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open GGUF file " + file + ": " + e, e);
        }
        try {
            return parse(file, ch);
        } catch (RuntimeException | IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // keep the original error
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot read GGUF file " + file + ": " + io, io);
            }
            throw (RuntimeException) e;
        }
    }

    private static GgufFile parse(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(size, Integer.MAX_VALUE))
                .order(ByteOrder.LITTLE_ENDIAN);
        Reader r = new Reader(file, buf);
        r.what = "the magic number";
        int magic = r.i32();
        if (magic != MAGIC) {
            throw new IllegalArgumentException("GGUF file " + file + " does not start with the GGUF magic (found 0x"
                    + Integer.toHexString(magic) + ")");
        }
        r.what = "the version";
        int version = r.i32();
        if (version != 2 && version != 3) {
            throw new IllegalArgumentException("GGUF file " + file + " has unsupported version " + version + " (2 or 3)");
        }
        r.what = "the tensor count";
        long tensorCount = r.u64Count(8);
        r.what = "the metadata count";
        long kvCount = r.u64Count(9);
        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            r.what = "metadata key #" + i;
            String key = r.string();
            r.what = "metadata value '" + key + "'";
            int type = r.i32();
            metadata.put(key, r.value(type));
        }
        int alignment = DEFAULT_ALIGNMENT;
        Object al = metadata.get("general.alignment");
        if (al != null) {
            if (!(al instanceof Long a) || a <= 0 || Long.bitCount(a) != 1 || a > (1 << 20)) {
                throw new IllegalArgumentException("GGUF file " + file + " has an invalid general.alignment " + al);
            }
            alignment = (int) (long) (Long) al;
        }
        List<String> names = new ArrayList<>();
        List<long[]> dims = new ArrayList<>();
        List<GgmlType> types = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            r.what = "tensor info #" + i;
            String name = r.string();
            r.what = "tensor info '" + name + "'";
            int nd = r.i32();
            if (nd < 0 || nd > 4) {
                throw new IllegalArgumentException("GGUF file " + file + ": tensor '" + name + "' has " + nd
                        + " dimensions (at most 4)");
            }
            long[] d = new long[nd];
            for (int k = 0; k < nd; k++) {
                d[k] = r.i64();
                if (d[k] < 0) {
                    throw new IllegalArgumentException("GGUF file " + file + ": tensor '" + name
                            + "' has a negative dimension " + d[k]);
                }
            }
            int typeId = r.i32();
            GgmlType type;
            try {
                type = GgmlType.ofId(typeId);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("GGUF file " + file + ": tensor '" + name + "': " + e.getMessage());
            }
            names.add(name);
            dims.add(d);
            types.add(type);
            offsets.add(r.i64());
        }
        long dataStart = align(r.buf.position(), alignment);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            long numel = 1;
            long bytes;
            try {
                for (long d : dims.get(i)) {
                    numel = Math.multiplyExact(numel, d);
                }
                bytes = types.get(i).byteSize(numel);
            } catch (ArithmeticException | IllegalArgumentException e) {
                throw new IllegalArgumentException("GGUF file " + file + ": tensor '" + name + "' has invalid dims "
                        + Arrays.toString(dims.get(i)) + " for " + types.get(i) + ": " + e.getMessage());
            }
            long rel = offsets.get(i);
            if (rel < 0 || rel % alignment != 0) {
                throw new IllegalArgumentException("GGUF file " + file + ": tensor '" + name + "' has offset " + rel
                        + ", not a multiple of the alignment " + alignment);
            }
            long start = dataStart + rel;
            if (start + bytes > size || start + bytes < start) {
                throw new IllegalArgumentException("GGUF file " + file + ": tensor '" + name + "' data [" + start + ", "
                        + (start + bytes) + ") lies outside the file of " + size + " bytes (truncated file?)");
            }
            if (tensors.put(name, new TensorInfo(name, dims.get(i), types.get(i), start, bytes)) != null) {
                throw new IllegalArgumentException("GGUF file " + file + " has tensor '" + name + "' twice");
            }
        }
        return new GgufFile(file, ch, version, Collections.unmodifiableMap(metadata),
                Collections.unmodifiableMap(tensors), alignment);
    }

    private static long align(long pos, int alignment) {
        return (pos + alignment - 1) / alignment * alignment;
    }

    /** Bounds-checked little-endian reading of the header region. */
    private static final class Reader {
        final Path file;
        final ByteBuffer buf;
        String what = "";

        Reader(Path file, ByteBuffer buf) {
            this.file = file;
            this.buf = buf;
        }

        int i32() {
            try {
                return buf.getInt();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        long i64() {
            try {
                return buf.getLong();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        /** A u64 count that cannot exceed what the rest of the file could hold at {@code minBytes} each. */
        long u64Count(int minBytes) {
            long n;
            try {
                n = buf.getLong();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
            if (n < 0 || n > buf.remaining() / Math.max(1, minBytes) + 1) {
                throw new IllegalArgumentException("GGUF file " + file + ": " + what + " is " + Long.toUnsignedString(n)
                        + ", more than the file can hold (corrupt or truncated)");
            }
            return n;
        }

        String string() {
            long len;
            try {
                len = buf.getLong();
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
            if (len < 0 || len > buf.remaining()) {
                throw new IllegalArgumentException("GGUF file " + file + ": " + what + " has a string of length "
                        + Long.toUnsignedString(len) + " past the end of the file (corrupt or truncated)");
            }
            byte[] b = new byte[(int) len];
            buf.get(b);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("GGUF file " + file + ": " + what + " is not UTF-8", e);
            }
        }

        Object value(int type) {
            try {
                return switch (type) {
                    case 0 -> (long) (buf.get() & 0xff);
                    case 1 -> (long) buf.get();
                    case 2 -> (long) (buf.getShort() & 0xffff);
                    case 3 -> (long) buf.getShort();
                    case 4 -> buf.getInt() & 0xffffffffL;
                    case 5 -> (long) buf.getInt();
                    case 6 -> buf.getFloat();
                    case 7 -> {
                        int v = buf.get();
                        if (v != 0 && v != 1) {
                            throw new IllegalArgumentException("GGUF file " + file + ": " + what + " is a bool of value " + v);
                        }
                        yield v == 1;
                    }
                    case 8 -> string();
                    case 9 -> {
                        int elemType = buf.getInt();
                        long n = u64Count(1);
                        List<Object> out = new ArrayList<>((int) Math.min(n, 1 << 20));
                        for (long i = 0; i < n; i++) {
                            out.add(value(elemType));
                        }
                        yield Collections.unmodifiableList(out);
                    }
                    case 10, 11 -> buf.getLong();
                    case 12 -> buf.getDouble();
                    default -> throw new IllegalArgumentException("GGUF file " + file + ": " + what
                            + " has unknown value type " + type);
                };
            } catch (BufferUnderflowException e) {
                throw truncated();
            }
        }

        IllegalArgumentException truncated() {
            return new IllegalArgumentException("GGUF file " + file + " ends while reading " + what + " (truncated file)");
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** All metadata in file order. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** Tensor infos in file order. */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    public TensorInfo tensorInfo(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("GGUF file " + path + " has no tensor '" + name + "'");
        }
        return t;
    }

    // ---------------------------------------------------------------- typed metadata

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public String string(String key) {
        return typed(key, String.class);
    }

    public long integer(String key) {
        return typed(key, Long.class);
    }

    public long integer(String key, long dflt) {
        return has(key) ? integer(key) : dflt;
    }

    /** A FLOAT32 or FLOAT64 value; FLOAT32 is widened through its shortest decimal form (1e-5f becomes 1e-5). */
    public double real(String key) {
        Object v = metadata.get(key);
        if (v instanceof Float f) {
            return Double.parseDouble(Float.toString(f));
        }
        if (v instanceof Double d) {
            return d;
        }
        if (v instanceof Long l) {
            return l;
        }
        throw wrongType(key, "a number");
    }

    public double real(String key, double dflt) {
        return has(key) ? real(key) : dflt;
    }

    public boolean bool(String key, boolean dflt) {
        return has(key) ? typed(key, Boolean.class) : dflt;
    }

    public List<String> stringList(String key) {
        List<?> l = typed(key, List.class);
        for (Object o : l) {
            if (!(o instanceof String)) {
                throw wrongType(key, "an array of strings");
            }
        }
        @SuppressWarnings("unchecked") List<String> s = (List<String>) l;
        return s;
    }

    public int[] intArray(String key) {
        List<?> l = typed(key, List.class);
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Long v)) {
                throw wrongType(key, "an array of integers");
            }
            out[i] = Math.toIntExact(v);
        }
        return out;
    }

    private <T> T typed(String key, Class<T> type) {
        Object v = metadata.get(key);
        if (v == null) {
            throw new IllegalArgumentException("GGUF file " + path + " has no metadata '" + key + "'");
        }
        if (!type.isInstance(v)) {
            throw wrongType(key, type.getSimpleName());
        }
        return type.cast(v);
    }

    private IllegalArgumentException wrongType(String key, String expected) {
        Object v = metadata.get(key);
        return new IllegalArgumentException("GGUF file " + path + ": metadata '" + key + "' should be " + expected
                + " but is " + (v == null ? "absent" : v.getClass().getSimpleName() + " " + v));
    }

    // ---------------------------------------------------------------- tensor data

    /**
     * The tensor as float32 in GGUF element order: F32 zero-copy (memory-mapped) when up to 2 GiB, other types
     * dequantized into a new buffer.
     */
    public FloatBuffer floats(String name) {
        TensorInfo t = tensorInfo(name);
        if (!t.type().dequantizable()) {
            throw new IllegalArgumentException("GGUF file " + path + ": tensor '" + name + "' has type " + t.type()
                    + ", which this reader cannot dequantize");
        }
        if (t.type() == GgmlType.F32 && t.byteSize() <= Integer.MAX_VALUE) {
            return map(t, t.offset(), t.byteSize()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        }
        long numel = t.numel();
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("GGUF file " + path + ": tensor '" + name + "' has " + numel
                    + " values, more than a Java buffer holds");
        }
        FloatBuffer out = numel * 4 <= Integer.MAX_VALUE
                ? ByteBuffer.allocateDirect((int) (numel * 4)).order(ByteOrder.nativeOrder()).asFloatBuffer()
                : FloatBuffer.wrap(new float[(int) numel]);
        long blockBytes = t.type().typeSize();
        long chunk = CHUNK_BYTES / blockBytes * blockBytes;
        for (long pos = 0; pos < t.byteSize(); pos += chunk) {
            long len = Math.min(chunk, t.byteSize() - pos);
            long elements = len / blockBytes * t.type().blockSize();
            GgmlDequantizer.dequantize(t.type(), map(t, t.offset() + pos, len), out, elements);
        }
        out.flip();
        return out;
    }

    private ByteBuffer map(TensorInfo t, long position, long len) {
        if (closed) {
            throw new IllegalStateException("GGUF file " + path + " is closed (reading '" + t.name() + "')");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, len);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map tensor '" + t.name() + "' of " + path + ": " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + path, e);
        }
    }
}
