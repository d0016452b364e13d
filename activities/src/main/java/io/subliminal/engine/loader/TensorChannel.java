package io.subliminal.engine.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A checkpoint file's read-only channel, from which tensors are memory-mapped one at a time (long offsets, so files
 * past 2 GiB work). Shared by the GGUF and safetensors readers.
 */
final class TensorChannel implements AutoCloseable {

    /** Parses a freshly opened file; any failure closes the channel. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(Path file, FileChannel channel) throws IOException;
    }

    private final Path path;
    private final String kind;
    private final FileChannel channel;
    private volatile boolean closed;

    TensorChannel(Path path, String kind, FileChannel channel) {
        this.path = path;
        this.kind = kind;
        this.channel = channel;
    }

    /** Opens {@code file} and parses it; errors name the file and its kind ("GGUF", "safetensors"). */
    static <T> T open(Path file, String kind, Parser<T> parser) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + kind + " file " + file + ": " + e, e);
        }
        try {
            return parser.parse(file, ch);
        } catch (RuntimeException | IOException e) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // the original error matters
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot read " + kind + " file " + file + ": " + io, io);
            }
            throw (RuntimeException) e;
        }
    }

    Path path() {
        return path;
    }

    /** Maps {@code len} bytes at {@code position}, the bytes of tensor {@code tensor}. */
    MappedByteBuffer map(String tensor, long position, long len) {
        if (closed) {
            throw new IllegalStateException(kind + " file " + path + " is closed (reading '" + tensor + "')");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, position, len);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map tensor '" + tensor + "' of " + path + ": " + e, e);
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
