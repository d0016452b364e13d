package io.subliminal.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A per-worker local cache of base-model checkpoint directories (Hugging Face layout: {@code config.json},
 * {@code *.safetensors}, tokenizer files) stored under S3 prefixes, bounded in total size with least-recently-used
 * eviction.
 *
 * <p>{@link #resolve} lists the prefix, and the listing (relative paths, sizes, ETags) fingerprints the version: a
 * changed checkpoint gets a new cache entry. A miss downloads every object into a hidden staging directory, checking
 * each object's size, and its sha256 when the object carries one (objects written by {@link S3ArtifactStore} do),
 * then renames the staging directory into place, so a cache entry is always complete. Cache directories on one host
 * may be shared by several worker processes: publication and eviction hold a lock file.
 */
public final class S3ModelCache {

    private static final String COMPLETE = ".complete";
    private static final Duration STALE = Duration.ofHours(6);

    private final S3Client s3;
    private final Path root;
    private final long maxBytes;
    private final Clock clock;

    /**
     * @param s3 the client (see {@link S3Clients}); not closed by the cache
     * @param root cache directory
     * @param maxBytes total size the cache is trimmed to after each download; the entry just resolved is always
     *     kept, even when it alone is larger
     */
    public S3ModelCache(S3Client s3, Path root, long maxBytes, Clock clock) throws IOException {
        this.s3 = Objects.requireNonNull(s3, "s3 client");
        this.root = Objects.requireNonNull(root, "cache root").toAbsolutePath().normalize();
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("model cache maxBytes must be > 0: " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.clock = Objects.requireNonNull(clock, "clock");
        Files.createDirectories(this.root);
    }

    /**
     * A cache configured by {@code SUBLIMINAL_MODEL_CACHE} (directory, default {@code models/cache}) and
     * {@code SUBLIMINAL_MODEL_CACHE_MAX_GB} (size bound in GiB, default 200).
     */
    public static S3ModelCache fromEnvironment(S3Client s3, Map<String, String> env) throws IOException {
        String dir = env.getOrDefault("SUBLIMINAL_MODEL_CACHE", "models/cache");
        String gb = env.getOrDefault("SUBLIMINAL_MODEL_CACHE_MAX_GB", "200").trim();
        long maxBytes;
        try {
            maxBytes = (long) (Double.parseDouble(gb) * (1L << 30));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SUBLIMINAL_MODEL_CACHE_MAX_GB must be a number: " + gb, e);
        }
        return new S3ModelCache(s3, Path.of(dir), maxBytes, Clock.systemUTC());
    }

    /** The cache directory. */
    public Path directory() {
        return root;
    }

    /**
     * The local directory holding the checkpoint under {@code s3Uri} ({@code s3://bucket/prefix/}), downloading it
     * on a miss.
     *
     * @throws ArtifactNotFoundException when the prefix holds no objects
     * @throws ArtifactIntegrityException when a downloaded object does not match its size or sha256
     */
    public Path resolve(String s3Uri) throws IOException {
        S3Location location = S3Location.parse(s3Uri);
        if (location.prefix().isEmpty()) {
            throw new IllegalArgumentException("model uri must name a prefix inside the bucket: " + s3Uri);
        }
        List<S3Object> objects = list(location, s3Uri);
        Path entry = root.resolve(entryName(location, objects));
        try (FileLocks.Held ignored = lock()) {
            if (Files.isRegularFile(entry.resolve(COMPLETE))) {
                touch(entry);
                return entry;
            }
        }
        Path staging = root.resolve(".staging-" + UUID.randomUUID());
        try {
            download(location, objects, staging);
            try (FileLocks.Held ignored = lock()) {
                if (Files.isRegularFile(entry.resolve(COMPLETE))) {
                    touch(entry); // another process published the same version meanwhile
                } else {
                    if (Files.exists(entry)) {
                        discard(entry); // an incomplete leftover
                    }
                    Files.move(staging, entry, StandardCopyOption.ATOMIC_MOVE);
                    AtomicFiles.fsyncDirectory(root);
                }
                evict(entry);
            }
        } finally {
            if (Files.exists(staging)) {
                deleteTree(staging);
            }
        }
        return entry;
    }

    /** Total bytes of the complete entries now in the cache. */
    public long sizeBytes() throws IOException {
        long total = 0;
        for (Path e : entries()) {
            total += treeSize(e);
        }
        return total;
    }

    private List<S3Object> list(S3Location location, String uri) throws IOException {
        List<S3Object> objects = new ArrayList<>();
        try {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(location.bucket()).prefix(location.prefix()))
                .contents()) {
                String rel = o.key().substring(location.prefix().length());
                if (rel.isEmpty() || rel.endsWith("/") || rel.endsWith(ArtifactKey.MANIFEST_SUFFIX)) {
                    continue; // directory markers and artifact-store manifests
                }
                try {
                    new ArtifactKey(rel);
                } catch (IllegalArgumentException e) {
                    throw new IOException("model object " + o.key() + " under " + uri
                        + " has a name that cannot be a local file: " + e.getMessage(), e);
                }
                objects.add(o);
            }
        } catch (SdkException e) {
            throw new IOException("S3 ListObjectsV2 for " + uri + " failed: " + e.getMessage(), e);
        }
        if (objects.isEmpty()) {
            throw new ArtifactNotFoundException("no model files under " + uri);
        }
        objects.sort(Comparator.comparing(S3Object::key));
        return objects;
    }

    /** {@code <last prefix segment>-<16 hex of the listing's sha256>}. */
    private static String entryName(S3Location location, List<S3Object> objects) {
        MessageDigest d = Sha256.newDigest();
        d.update((location.bucket() + "/" + location.prefix() + "\n").getBytes(StandardCharsets.UTF_8));
        for (S3Object o : objects) {
            d.update((o.key() + "\t" + o.size() + "\t" + o.eTag() + "\n").getBytes(StandardCharsets.UTF_8));
        }
        String p = location.prefix().substring(0, location.prefix().length() - 1);
        String name = p.substring(p.lastIndexOf('/') + 1);
        return name + "-" + Sha256.hex(d).substring(0, 16);
    }

    private void download(S3Location location, List<S3Object> objects, Path staging) throws IOException {
        Files.createDirectories(staging);
        for (S3Object o : objects) {
            String rel = o.key().substring(location.prefix().length());
            String uri = "s3://" + location.bucket() + "/" + o.key();
            Path target = staging.resolve(rel).normalize();
            if (!target.startsWith(staging)) {
                throw new IOException("model object " + uri + " resolves outside the cache entry");
            }
            Files.createDirectories(target.getParent());
            try (ResponseInputStream<GetObjectResponse> body = s3.getObject(b -> b.bucket(location.bucket())
                     .key(o.key()));
                 OutputStream out = Files.newOutputStream(target)) {
                String sha = body.response().metadata().get("sha256");
                InputStream in = sha == null ? body
                    : new VerifyingInputStream(body, uri, body.response().metadata().get("stage"), sha, o.size());
                long n = in.transferTo(out);
                if (n != o.size()) {
                    throw new ArtifactIntegrityException(uri, null, "listed as " + o.size() + " bytes but "
                        + n + " bytes were read");
                }
            } catch (SdkException e) {
                throw new IOException("S3 GetObject for " + uri + " failed: " + e.getMessage(), e);
            }
            AtomicFiles.fsync(target);
        }
        Path complete = staging.resolve(COMPLETE);
        StringBuilder listing = new StringBuilder();
        for (S3Object o : objects) {
            listing.append(o.key()).append('\t').append(o.size()).append('\t').append(o.eTag()).append('\n');
        }
        Files.writeString(complete, listing);
        AtomicFiles.fsync(complete);
        touch(staging);
    }

    private void touch(Path entry) throws IOException {
        Files.setLastModifiedTime(entry.resolve(COMPLETE), FileTime.from(clock.instant()));
    }

    /** Removes least-recently-used entries other than {@code keep} until the cache fits; clears stale leftovers. */
    private void evict(Path keep) throws IOException {
        List<Path> entries = entries();
        long total = 0;
        List<long[]> stats = new ArrayList<>();
        for (Path e : entries) {
            long size = treeSize(e);
            total += size;
            stats.add(new long[] {size, Files.getLastModifiedTime(e.resolve(COMPLETE)).toMillis()});
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> stats.get(i)[1]));
        for (int i : order) {
            if (total <= maxBytes) {
                break;
            }
            if (entries.get(i).equals(keep)) {
                continue;
            }
            discard(entries.get(i));
            total -= stats.get(i)[0];
        }
        try (Stream<Path> all = Files.list(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String n = p.getFileName().toString();
                if ((n.startsWith(".staging-") || n.startsWith(".trash-")) && Files.getLastModifiedTime(p).toInstant()
                    .isBefore(clock.instant().minus(STALE))) {
                    deleteTree(p);
                }
            }
        }
    }

    private List<Path> entries() throws IOException {
        List<Path> entries = new ArrayList<>();
        try (Stream<Path> all = Files.list(root)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (!p.getFileName().toString().startsWith(".") && Files.isRegularFile(p.resolve(COMPLETE))) {
                    entries.add(p);
                }
            }
        }
        return entries;
    }

    /** Renames an entry out of the way first, so no reader ever sees it half-deleted under its name. */
    private void discard(Path entry) throws IOException {
        Path trash = root.resolve(".trash-" + UUID.randomUUID());
        Files.move(entry, trash, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(trash);
    }

    private FileLocks.Held lock() throws IOException {
        return FileLocks.acquire(root.resolve(".lock"));
    }

    private static long treeSize(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(p)) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
