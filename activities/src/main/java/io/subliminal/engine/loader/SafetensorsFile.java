package io.subliminal.engine.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.weights.HalfFloats;
import io.subliminal.engine.weights.HostTensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * ({@code name -> {dtype, shape, data_offsets}} plus optional {@code __metadata__}), then the tensor bytes.
 *
 * <p>The header is validated completely on open (length, JSON, dtypes, shapes, offsets inside the file, byte range
 * equal to shape x dtype size, no overlaps), so a truncated or corrupt file fails at once with an error naming the file
 * and the tensor. Each tensor is memory-mapped on its own ({@link FileChannel#map} with long offsets), so files
 * above 2 GiB are fine. F32 tensors up to 2 GiB are returned zero-copy as a little-endian view of the mapping;
 * F16, BF16 and F64 are converted to float32 in Java. A float32 result above 2 GiB is returned on the heap.
 *
 * <p>{@link #close()} closes the file handle; mappings already handed out stay valid until they are unreachable
 * (the JDK offers no explicit unmap).
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Largest header the reference implementation accepts. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CHUNK_BYTES = 1L << 30;

    /**
     * Where one tensor lives.
     *
     * @param begin absolute file offset of the first byte
     * @param end absolute file offset after the last byte
     */
    public record TensorInfo(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
        public long numel() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }

        @Override
        public String toString() {
            return name + " " + dtype + Arrays.toString(shape);
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private volatile boolean closed;

    private SafetensorsFile(Path path, FileChannel channel, Map<String, TensorInfo> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code file}; errors name the file (and the tensor where one is at fault). */
    public static SafetensorsFile open(Path file) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open safetensors file " + file + ": " + e, e);
        }
        try {
            return readHeader(file, ch);
        } catch (RuntimeException | IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the original error matters
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot read safetensors file " + file + ": " + io, io);
            }
            throw (RuntimeException) e;
        }
    }

    private static SafetensorsFile readHeader(Path file, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw corrupt(file, "is " + size + " bytes long, too short for the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long headerLen = lenBuf.getLong(0);
        if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
            throw corrupt(file, "declares a header of " + headerLen + " bytes but the file has " + (size - 8)
                    + " bytes after the length field (truncated or not a safetensors file)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, 8);
        JsonNode root;
        try {
            root = JSON.readTree(hb.array());
        } catch (IOException e) {
            throw corrupt(file, "has a header that is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw corrupt(file, "has a header that is not a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataLen = size - dataStart;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals("__metadata__")) {
                if (!e.getValue().isObject()) {
                    throw corrupt(file, "has a __metadata__ that is not an object");
                }
                e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            try {
                tensors.put(e.getKey(), tensorInfo(file, e.getKey(), e.getValue(), dataStart, dataLen));
            } catch (ArithmeticException overflow) {
                throw corruptTensor(file, e.getKey(), "has a shape whose size overflows: " + e.getValue());
            }
        }
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            TensorInfo prev = byOffset.get(i - 1);
            TensorInfo cur = byOffset.get(i);
            if (cur.begin() < prev.end()) {
                throw corrupt(file, "has overlapping tensors '" + prev.name() + "' and '" + cur.name() + "'");
            }
        }
        return new SafetensorsFile(file, ch, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo tensorInfo(Path file, String name, JsonNode n, long dataStart, long dataLen) {
        if (!n.isObject()) {
            throw corruptTensor(file, name, "entry is not an object: " + n);
        }
        JsonNode dt = n.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw corruptTensor(file, name, "has no dtype");
        }
        SafetensorsDtype dtype;
        try {
            dtype = SafetensorsDtype.parse(dt.asText());
        } catch (IllegalArgumentException e) {
            throw corruptTensor(file, name, e.getMessage());
        }
        JsonNode sh = n.get("shape");
        if (sh == null || !sh.isArray()) {
            throw corruptTensor(file, name, "has no shape list");
        }
        long[] shape = new long[sh.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw corruptTensor(file, name, "has an invalid shape " + sh);
            }
            shape[i] = d.asLong();
            numel = Math.multiplyExact(numel, shape[i]);
        }
        JsonNode off = n.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).canConvertToLong()
                || !off.get(1).canConvertToLong() || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()) {
            throw corruptTensor(file, name, "has invalid data_offsets " + off);
        }
        long b = off.get(0).asLong();
        long e = off.get(1).asLong();
        if (b < 0 || e < b) {
            throw corruptTensor(file, name, "has invalid data_offsets [" + b + ", " + e + "]");
        }
        if (e > dataLen) {
            throw corruptTensor(file, name, "data [" + b + ", " + e + ") lies outside the file's " + dataLen
                    + " data bytes (truncated file?)");
        }
        long expected = Math.multiplyExact(numel, dtype.bytes());
        if (e - b != expected) {
            throw corruptTensor(file, name, "shape " + Arrays.toString(shape) + " x " + dtype + " needs " + expected
                    + " bytes but data_offsets span " + (e - b));
        }
        return new TensorInfo(name, dtype, shape, dataStart + b, dataStart + e);
    }

    public Path path() {
        return path;
    }

    /** Tensor names in header order. */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** The header's {@code __metadata__} (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean has(String name) {
        return tensors.containsKey(name);
    }

    public TensorInfo info(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in " + path);
        }
        return info;
    }

    /** The raw little-endian bytes of a tensor (at most 2 GiB), memory-mapped. */
    public ByteBuffer raw(String name) {
        TensorInfo info = info(name);
        long len = info.end() - info.begin();
        if (len > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " is " + len
                    + " bytes, more than one buffer holds");
        }
        return map(info, info.begin(), len);
    }

    /** The tensor as float32 (zero-copy for F32), or an error naming a non-float dtype. */
    public HostTensor tensor(String name) {
        TensorInfo info = info(name);
        if (!info.dtype().isFloat()) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " has dtype " + info.dtype()
                    + "; only F32, F16, BF16 and F64 can be read as float weights");
        }
        long numel = info.numel();
        long bytes = info.end() - info.begin();
        if (info.dtype() == SafetensorsDtype.F32 && bytes <= Integer.MAX_VALUE) {
            FloatBuffer view = map(info, info.begin(), bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            return new HostTensor(name, info.shape(), view);
        }
        if (numel > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " has " + numel
                    + " values, more than a Java buffer holds");
        }
        FloatBuffer out = numel * 4 <= Integer.MAX_VALUE
                ? ByteBuffer.allocateDirect((int) (numel * 4)).order(ByteOrder.nativeOrder()).asFloatBuffer()
                : FloatBuffer.wrap(new float[(int) numel]);
        int esize = info.dtype().bytes();
        long chunk = CHUNK_BYTES / esize * esize;
        float[] tmp = new float[(int) Math.min(numel, 1 << 20)];
        for (long pos = info.begin(); pos < info.end(); pos += chunk) {
            long len = Math.min(chunk, info.end() - pos);
            ByteBuffer src = map(info, pos, len).order(ByteOrder.LITTLE_ENDIAN);
            convert(info.dtype(), src, out, tmp);
        }
        out.flip();
        return new HostTensor(name, info.shape(), out);
    }

    private static void convert(SafetensorsDtype dtype, ByteBuffer src, FloatBuffer out, float[] tmp) {
        switch (dtype) {
            case F32 -> {
                var f = src.asFloatBuffer();
                while (f.hasRemaining()) {
                    int n = Math.min(tmp.length, f.remaining());
                    f.get(tmp, 0, n);
                    out.put(tmp, 0, n);
                }
            }
            case F64 -> {
                var d = src.asDoubleBuffer();
                while (d.hasRemaining()) {
                    int n = Math.min(tmp.length, d.remaining());
                    for (int i = 0; i < n; i++) {
                        tmp[i] = (float) d.get();
                    }
                    out.put(tmp, 0, n);
                }
            }
            case F16, BF16 -> {
                var s = src.asShortBuffer();
                boolean bf = dtype == SafetensorsDtype.BF16;
                while (s.hasRemaining()) {
                    int n = Math.min(tmp.length, s.remaining());
                    for (int i = 0; i < n; i++) {
                        short v = s.get();
                        tmp[i] = bf ? HalfFloats.bf16ToFloat(v) : HalfFloats.f16ToFloat(v);
                    }
                    out.put(tmp, 0, n);
                }
            }
            default -> throw new IllegalStateException("not a float dtype: " + dtype);
        }
    }

    private MappedByteBuffer map(TensorInfo info, long position, long len) {
        if (closed) {
            throw new IllegalStateException("safetensors file " + path + " is closed (reading '" + info.name() + "')");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, len);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map tensor '" + info.name() + "' of " + path + ": " + e, e);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file at offset " + pos);
            }
            pos += n;
        }
    }

    private static IllegalArgumentException corrupt(Path file, String what) {
        return new IllegalArgumentException("safetensors file " + file + " " + what);
    }

    private static IllegalArgumentException corruptTensor(Path file, String tensor, String what) {
        return new IllegalArgumentException("safetensors file " + file + ": tensor '" + tensor + "' " + what);
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
