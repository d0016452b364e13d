package io.subliminal.activities.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A folder (a PEFT adapter: {@code adapter_model.safetensors} + {@code adapter_config.json}; or full weights) as one
 * artifact: a zip of its regular files in name order with fixed timestamps, so the same folder content always gives
 * the same bytes and sha256. Unzip it to get the original folder.
 */
public final class DirectoryArchive {
    private static final long FIXED_TIME = 315532800000L; // 1980-01-01, the zip epoch

    private DirectoryArchive() {
    }

    /** Zips the regular files directly inside {@code dir} into {@code zip} (written atomically). */
    public static Path pack(Path dir, Path zip) {
        Path tmp = zip.resolveSibling("." + zip.getFileName() + ".tmp");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> sorted = files.filter(Files::isRegularFile).sorted().toList();
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(tmp))) {
                out.setLevel(1);
                for (Path file : sorted) {
                    ZipEntry entry = new ZipEntry(file.getFileName().toString());
                    entry.setTime(FIXED_TIME);
                    out.putNextEntry(entry);
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            Files.move(tmp, zip, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return zip;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot archive " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Unpacks {@code zip} into {@code dir} (flat; entries with folders or ".." are rejected). */
    public static Path unpack(Path zip, Path dir) {
        try {
            Files.createDirectories(dir);
            try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
                for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                    String name = entry.getName();
                    if (name.contains("/") || name.contains("\\") || name.startsWith(".")) {
                        throw new InvalidInputException("weights archive " + zip + " has an unexpected entry '" + name + "'");
                    }
                    copy(in, dir.resolve(name));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + zip + ": " + e.getMessage(), e);
        }
    }

    private static void copy(InputStream in, Path target) throws IOException {
        try (OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
        }
    }
}
