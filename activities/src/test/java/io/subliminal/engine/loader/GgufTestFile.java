package io.subliminal.engine.loader;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds small GGUF v3 files byte by byte for tests (F32 tensors, metadata of any type); shared by the loader and
 * tokenizer tests. */
public final class GgufTestFile {

    private final Map<String, byte[]> kv = new LinkedHashMap<>();
    private final List<Object[]> tensors = new ArrayList<>();
    private int alignment = 32;

    public GgufTestFile u32(String key, long v) {
        kv.put(key, cat(i32(4), i32((int) v)));
        return this;
    }

    public GgufTestFile f32(String key, float v) {
        kv.put(key, cat(i32(6), ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array()));
        return this;
    }

    public GgufTestFile bool(String key, boolean v) {
        kv.put(key, cat(i32(7), new byte[] {(byte) (v ? 1 : 0)}));
        return this;
    }

    public GgufTestFile str(String key, String v) {
        kv.put(key, cat(i32(8), string(v)));
        return this;
    }

    public GgufTestFile strings(String key, List<String> v) {
        byte[] b = cat(i32(9), i32(8), i64(v.size()));
        for (String s : v) {
            b = cat(b, string(s));
        }
        kv.put(key, b);
        return this;
    }

    public GgufTestFile ints(String key, int[] v) {
        byte[] b = cat(i32(9), i32(5), i64(v.length));
        for (int x : v) {
            b = cat(b, i32(x));
        }
        kv.put(key, b);
        return this;
    }

    /** Any raw value: type id then payload. */
    public GgufTestFile raw(String key, int type, byte[] payload) {
        kv.put(key, cat(i32(type), payload));
        return this;
    }

    public GgufTestFile alignment(int a) {
        alignment = a;
        return u32("general.alignment", a);
    }

    /** An F32 tensor with GGUF dims (innermost first) and values in GGUF order. */
    public GgufTestFile tensor(String name, long[] dims, float[] values) {
        tensors.add(new Object[] {name, dims, values});
        return this;
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(i32(GgufFile.MAGIC));
        out.writeBytes(i32(3));
        out.writeBytes(i64(tensors.size()));
        out.writeBytes(i64(kv.size()));
        kv.forEach((k, v) -> {
            out.writeBytes(string(k));
            out.writeBytes(v);
        });
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (Object[] t : tensors) {
            long[] dims = (long[]) t[1];
            out.writeBytes(string((String) t[0]));
            out.writeBytes(i32(dims.length));
            for (long d : dims) {
                out.writeBytes(i64(d));
            }
            out.writeBytes(i32(0)); // F32
            out.writeBytes(i64(offset));
            offsets.add(offset);
            offset += pad(((float[]) t[2]).length * 4L);
        }
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        for (Object[] t : tensors) {
            float[] v = (float[]) t[2];
            ByteBuffer b = ByteBuffer.allocate((int) pad(v.length * 4L)).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                b.putFloat(f);
            }
            out.writeBytes(b.array());
        }
        return out.toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }

    private long pad(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    static byte[] i32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] i64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    static byte[] string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return cat(i64(b.length), b);
    }

    static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
