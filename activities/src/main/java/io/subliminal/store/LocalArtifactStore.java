package io.subliminal.store;

import io.subliminal.workflows.payload.ArtifactRef;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Artifacts as files under a root directory ({@code file://} uris), the default store.
 *
 * <p>A write streams into a hidden temporary sibling while hashing, fsyncs it, then, holding the key's lock (a
 * thread lock plus an OS file lock, so other processes on this host are excluded too), renames it over the final
 * path and writes the manifest the same way. Readers of a key take the same lock, so the artifact and its manifest
 * are always seen as a pair.
 */
public final class LocalArtifactStore implements ArtifactStore {

    private final Path root;
    private final String codeVersion;
    private final Clock clock;

    /**
     * @param root directory that holds the artifacts (created when missing)
     * @param codeVersion recorded in every manifest
     */
    public LocalArtifactStore(Path root, String codeVersion, Clock clock) throws IOException {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        Manifest.checkText("codeVersion", codeVersion);
        this.codeVersion = codeVersion;
        this.clock = Objects.requireNonNull(clock, "clock");
        Files.createDirectories(this.root);
    }

    /** A store under {@code root} that stamps manifests with {@link CodeVersion#current()} and the system clock. */
    public LocalArtifactStore(Path root) throws IOException {
        this(root, CodeVersion.current(), Clock.systemUTC());
    }

    /** The root directory. */
    public Path directory() {
        return root;
    }

    @Override
    public URI root() {
        return root.toUri();
    }

    @Override
    public String uri(ArtifactKey key) {
        return path(key).toUri().toString();
    }

    /** The file that holds the artifact with this key. */
    public Path path(ArtifactKey key) {
        Path p = root.resolve(key.value()).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("artifact key '" + key + "' resolves outside the store root " + root);
        }
        return p;
    }

    private Path manifestPath(ArtifactKey key) {
        return root.resolve(key.manifestKey()).normalize();
    }

    @Override
    public ArtifactKey keyOf(ArtifactRef ref) {
        Path p;
        try {
            URI uri = URI.create(ref.uri());
            if (!"file".equals(uri.getScheme())) {
                throw new IllegalArgumentException("not a file uri");
            }
            p = Path.of(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            throw new IllegalArgumentException("artifact uri is not a file uri of this store (" + root + "): "
                + ref.uri(), e);
        }
        if (!p.startsWith(root) || p.equals(root)) {
            throw new IllegalArgumentException("artifact uri " + ref.uri() + " is outside the store root " + root);
        }
        return new ArtifactKey(root.relativize(p).toString().replace('\\', '/'));
    }

    @Override
    public ArtifactRef put(ArtifactKey key, InputStream content, Provenance provenance) throws IOException {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(provenance, "provenance");
        Path target = path(key);
        Files.createDirectories(target.getParent());
        Path tmp = AtomicFiles.tempSibling(target);
        try {
            MessageDigest digest = Sha256.newDigest();
            long size;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 DigestOutputStream out = new DigestOutputStream(Channels.newOutputStream(ch), digest)) {
                size = content.transferTo(out);
                out.flush();
                ch.force(true);
            }
            Manifest manifest = Manifest.of(Sha256.hex(digest), size, provenance, codeVersion, clock.instant());
            try (FileLocks.Held ignored = lock(key)) {
                AtomicFiles.publish(tmp, target);
                AtomicFiles.write(manifestPath(key), manifest.toJson());
            }
            return new ArtifactRef(uri(key), manifest.sha256(), manifest.size());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public Optional<StoredArtifact> find(ArtifactKey key) throws IOException {
        Path file = path(key);
        Path manifestFile = manifestPath(key);
        if (!Files.exists(manifestFile)) {
            return Optional.empty();
        }
        try (FileLocks.Held ignored = lock(key)) {
            byte[] json;
            long size;
            try {
                json = Files.readAllBytes(manifestFile);
                size = Files.size(file);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
            Manifest manifest = Manifest.fromJson(json, manifestFile.toString());
            if (manifest.size() != size) {
                return Optional.empty();
            }
            return Optional.of(new StoredArtifact(key, new ArtifactRef(uri(key), manifest.sha256(), size), manifest));
        }
    }

    @Override
    public InputStream open(ArtifactRef ref) throws IOException {
        ArtifactKey key = keyOf(ref);
        InputStream in;
        try {
            in = Files.newInputStream(path(key));
        } catch (NoSuchFileException e) {
            throw new ArtifactNotFoundException(ref.uri());
        }
        String stage = null;
        try {
            Path manifestFile = manifestPath(key);
            if (Files.exists(manifestFile)) {
                stage = Manifest.fromJson(Files.readAllBytes(manifestFile), manifestFile.toString()).stage();
            }
        } catch (IOException e) {
            stage = null; // a missing or unreadable manifest leaves the stage unknown; the digest check still runs
        }
        return new VerifyingInputStream(in, ref.uri(), stage, ref.sha256(), ref.size());
    }

    @Override
    public List<ArtifactKey> list(String prefix) throws IOException {
        ArtifactKey.checkPrefix(prefix);
        List<ArtifactKey> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String rel = root.relativize(p).toString().replace('\\', '/');
                if (!rel.endsWith(ArtifactKey.MANIFEST_SUFFIX) || !rel.startsWith(prefix) || !Files.isRegularFile(p)) {
                    continue;
                }
                String keyText = rel.substring(0, rel.length() - ArtifactKey.MANIFEST_SUFFIX.length());
                if (isValidKey(keyText) && Files.isRegularFile(root.resolve(keyText))) {
                    keys.add(new ArtifactKey(keyText));
                }
            }
        }
        keys.sort(java.util.Comparator.comparing(ArtifactKey::value));
        return keys;
    }

    private static boolean isValidKey(String text) {
        try {
            new ArtifactKey(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void delete(ArtifactKey key) throws IOException {
        try (FileLocks.Held ignored = lock(key)) {
            Files.deleteIfExists(manifestPath(key));
            Files.deleteIfExists(path(key));
        }
    }

    @Override
    public void close() {
    }

    /** Exclusive access to one key across threads of this JVM and processes of this host. */
    private FileLocks.Held lock(ArtifactKey key) throws IOException {
        Path target = path(key);
        return FileLocks.acquire(target.resolveSibling("." + target.getFileName() + ".lock"));
    }
}
