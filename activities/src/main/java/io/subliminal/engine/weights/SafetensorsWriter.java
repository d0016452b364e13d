package io.subliminal.engine.weights;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Writes float32 tensors as a {@code .safetensors} file the way the Python {@code safetensors} package does: 8-byte
 * little-endian header length, JSON header with {@code __metadata__} (default {@code {"format":"pt"}}, as PEFT and
 * transformers expect) padded with spaces to a multiple of 8 bytes, then the tensors back to back (dtype F32).
 * The write is atomic: a temporary file in the target directory, fsync, then a move over the target.
 */
public final class SafetensorsWriter {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    /** Writes {@code tensors} (in the given order) with {@code __metadata__ = {"format": "pt"}}. */
    public static void write(Path file, Collection<HostTensor> tensors) {
        write(file, tensors, Map.of("format", "pt"));
    }

    public static void write(Path file, Collection<HostTensor> tensors, Map<String, String> metadata) {
        byte[] header = header(tensors, metadata);
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                ByteBuffer buf = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (HostTensor t : tensors) {
                    FloatBuffer src = t.data().duplicate();
                    while (src.hasRemaining()) {
                        buf.clear();
                        FloatBuffer dst = buf.asFloatBuffer();
                        int n = Math.min(dst.remaining(), src.remaining());
                        FloatBuffer slice = src.slice();
                        slice.limit(n);
                        dst.put(slice);
                        src.position(src.position() + n);
                        buf.limit(n * 4);
                        writeFully(ch, buf);
                    }
                }
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write safetensors file " + file + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort; the original error is what matters
                }
            }
        }
    }

    /** The padded JSON header for {@code tensors} laid out back to back. */
    static byte[] header(Collection<HostTensor> tensors, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject("__metadata__");
            new LinkedHashMap<>(metadata).forEach(meta::put);
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (HostTensor t : tensors) {
            if (t.name().equals("__metadata__") || !seen.add(t.name())) {
                throw new IllegalArgumentException("tensor name '" + t.name() + "' is reserved or repeated");
            }
            ObjectNode e = root.putObject(t.name());
            e.put("dtype", "F32");
            ArrayNode shape = e.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long end = offset + t.numel() * 4;
            e.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
