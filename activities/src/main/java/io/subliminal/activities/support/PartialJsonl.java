package io.subliminal.activities.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.subliminal.data.AtomicFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only JSONL file that a stage fills batch by batch and a later attempt continues. A small commit file
 * beside it ({@code <name>.commit.json}: lines and a running counter) is replaced atomically after every append;
 * on reopen, lines past the last commit (a batch torn by a crash) are cut off.
 */
public final class PartialJsonl {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;
    private final Path commit;
    private final List<String> lines;
    private long counter;

    private PartialJsonl(Path file, Path commit, List<String> lines, long counter) {
        this.file = file;
        this.commit = commit;
        this.lines = lines;
        this.counter = counter;
    }

    /** Opens {@code file}, keeping the committed lines of a previous attempt (none if there was none). */
    public static PartialJsonl open(Path file) {
        Path commit = file.resolveSibling(file.getFileName() + ".commit.json");
        try {
            long committedLines = 0;
            long counter = 0;
            if (Files.isRegularFile(commit)) {
                var node = MAPPER.readTree(commit.toFile());
                committedLines = node.path("lines").asLong();
                counter = node.path("counter").asLong();
            }
            List<String> lines = new ArrayList<>();
            if (Files.isRegularFile(file) && committedLines > 0) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (lines.size() == committedLines) {
                        break;
                    }
                    lines.add(line);
                }
            }
            if (lines.size() < committedLines) {
                lines.clear();
                counter = 0;
            }
            Files.createDirectories(file.toAbsolutePath().getParent());
            AtomicFiles.writeString(file, lines.isEmpty() ? "" : String.join("\n", lines) + "\n");
            PartialJsonl partial = new PartialJsonl(file, commit, lines, counter);
            partial.writeCommit();
            return partial;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reopen partial file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Committed lines so far. */
    public List<String> lines() {
        return List.copyOf(lines);
    }

    public int size() {
        return lines.size();
    }

    /** The running counter stored with the last commit (e.g. generated tokens). */
    public long counter() {
        return counter;
    }

    /** Appends {@code newLines} durably (fsync) and commits them together with the new counter value. */
    public void append(List<String> newLines, long newCounter) {
        StringBuilder text = new StringBuilder();
        for (String line : newLines) {
            if (line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("a JSONL line must not contain a newline");
            }
            text.append(line).append('\n');
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            channel.write(StandardCharsets.UTF_8.encode(text.toString()));
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + ": " + e.getMessage(), e);
        }
        lines.addAll(newLines);
        counter = newCounter;
        writeCommit();
    }

    private void writeCommit() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("lines", lines.size());
        node.put("counter", counter);
        AtomicFiles.writeString(commit, node.toString());
    }
}
