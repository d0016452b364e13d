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
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A per-host local cache of base-model checkpoint directories (Hugging Face layout: {@code config.json},
 * {@code *.safetensors} with their index, tokenizer files) stored under S3 prefixes, bounded in total size with
 * least-recently-used eviction.
 *
 * <p>A prefix is read once: its checkpoint is taken as immutable (new weights belong under a new prefix), so a cached
 * entry is served without any S3 request, also while S3 is unreachable. A miss lists the prefix (it must hold
 * {@code config.json}), downloads every object into a hidden staging directory, checking each object's size, and its
 * sha256 when the object carries one (objects written by {@link S3ArtifactStore} do), then renames the staging
 * directory into place, so a cache entry is always complete.
 *
 * <p>Several worker processes on one host may share the cache directory: one of them downloads a checkpoint while
 * the others wait for it (a per-checkpoint lock file), and publication and eviction hold the cache's lock file. A
 * download that fails on an S3 error keeps the files it finished, so the next attempt on this host fetches only the
 * rest; one that finds an object not matching its size or sha256 discards them. Not for network file systems (the
 * locks are OS file locks).
 */
public final class S3ModelCache {

    /** Hears how a download goes; any method may throw (for example when the activity was cancelled) to abort it. */
    public interface Progress {
        /** Ignores everything. */
        Progress NONE = new Progress() {
            @Override
            public void downloaded(long bytes, long totalBytes) {
            }
        };

        /** Bytes of the checkpoint on local disk so far, of {@code totalBytes}; called at least every 8 MiB. */
        void downloaded(long bytes, long totalBytes);

        /** Called about twice a second while another thread or process of this host downloads the same checkpoint. */
        default void waitingForOtherDownload() {
        }
    }

    private static final String COMPLETE = ".complete";
    private static final String LISTING = ".listing";
    private static final String PARTIAL = ".partial";
    private static final Duration STALE = Duration.ofHours(6);
    private static final long REPORT_EVERY = 8L << 20;
    private static final long WAIT_POLL_MILLIS = 500;
    /** Reads of one object; the SDK already retries failed requests, these also cover a body that breaks off. */
    private static final int OBJECT_ATTEMPTS = 3;

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
        return new S3ModelCache(s3, Path.of(dir), maxBytes("SUBLIMINAL_MODEL_CACHE_MAX_GB",
            env.getOrDefault("SUBLIMINAL_MODEL_CACHE_MAX_GB", "200")), Clock.systemUTC());
    }

    /** {@code gib} GiB in bytes; {@code name} names the setting in the error for a value that is not a positive number. */
    public static long maxBytes(String name, String gib) {
        double value;
        try {
            value = Double.parseDouble(gib.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of GiB: " + gib, e);
        }
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name + " must be > 0 GiB: " + gib);
        }
        return (long) (value * (1L << 30));
    }

    /** The cache directory. */
    public Path directory() {
        return root;
    }

    /** {@link #resolve(String, Progress)} without progress reports. */
    public Path resolve(String s3Uri) throws IOException {
        return resolve(s3Uri, Progress.NONE);
    }

    /**
     * The local directory holding the checkpoint under {@code s3Uri} ({@code s3://bucket/prefix/}), downloading it
     * on a miss.
     *
     * @throws ArtifactNotFoundException when the prefix holds no objects, or no {@code config.json}
     * @throws ArtifactIntegrityException when a downloaded object does not match its size or sha256
     * @throws IOException when S3 or the local disk fails (worth retrying)
     */
    public Path resolve(String s3Uri, Progress progress) throws IOException {
        S3Location location = S3Location.parse(s3Uri);
        if (location.prefix().isEmpty()) {
            throw new IllegalArgumentException("model uri must name a prefix inside the bucket: " + s3Uri);
        }
        String name = entryName(location);
        Path entry = root.resolve(name);
        if (cached(entry)) {
            return entry;
        }
        try (FileLocks.Held ignored = downloadLock(name, progress)) {
            if (cached(entry)) {
                return entry; // another thread or process downloaded it meanwhile
            }
            List<S3Object> objects = list(location, s3Uri);
            Path staging = root.resolve(".staging-" + name);
            try {
                download(location, objects, staging, progress);
            } catch (ArtifactIntegrityException e) {
                deleteTree(staging); // the checkpoint in the bucket is bad: nothing to resume
                throw e;
            }
            try (FileLocks.Held global = lock()) {
                if (Files.exists(entry)) {
                    discard(entry); // an incomplete leftover
                }
                Files.move(staging, entry, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.fsyncDirectory(root);
                evict(entry, name);
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

    /** True (and marked as used now) when {@code entry} is complete. */
    private boolean cached(Path entry) throws IOException {
        try (FileLocks.Held ignored = lock()) {
            if (Files.isRegularFile(entry.resolve(COMPLETE))) {
                touch(entry);
                return true;
            }
            return false;
        }
    }

    /** Waits, reporting, until this thread is the host's only downloader of checkpoint {@code name}. */
    private FileLocks.Held downloadLock(String name, Progress progress) throws IOException {
        Path file = root.resolve(".download-" + name + ".lock");
        while (true) {
            Optional<FileLocks.Held> held = FileLocks.tryAcquire(file);
            if (held.isPresent()) {
                return held.get();
            }
            progress.waitingForOtherDownload();
            try {
                Thread.sleep(WAIT_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while another download of " + name + " runs", e);
            }
        }
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
        if (objects.stream().noneMatch(o -> o.key().equals(location.prefix() + "config.json"))) {
            throw new ArtifactNotFoundException("no config.json under " + uri + " (an HF checkpoint directory has one)");
        }
        objects.sort(Comparator.comparing(S3Object::key));
        return objects;
    }

    /** {@code <last prefix segment>-<16 hex of the sha256 of bucket/prefix>}. */
    private static String entryName(S3Location location) {
        MessageDigest d = Sha256.newDigest();
        d.update((location.bucket() + "/" + location.prefix()).getBytes(StandardCharsets.UTF_8));
        String p = location.prefix().substring(0, location.prefix().length() - 1);
        String name = p.substring(p.lastIndexOf('/') + 1);
        return name + "-" + Sha256.hex(d).substring(0, 16);
    }

    private static String listing(List<S3Object> objects) {
        StringBuilder listing = new StringBuilder();
        for (S3Object o : objects) {
            listing.append(o.key()).append('\t').append(o.size()).append('\t').append(o.eTag()).append('\n');
        }
        return listing.toString();
    }

    /**
     * Fills {@code staging} with every object. Files a previous attempt finished (same listing, same size) are kept;
     * each object is read into {@code .partial}, checked, fsynced and renamed to its name.
     */
    private void download(S3Location location, List<S3Object> objects, Path staging, Progress progress)
        throws IOException {
        String listing = listing(objects);
        Path listingFile = staging.resolve(LISTING);
        if (Files.isDirectory(staging)
            && !(Files.isRegularFile(listingFile) && Files.readString(listingFile).equals(listing))) {
            deleteTree(staging); // left by an attempt at another version of the prefix
        }
        Files.createDirectories(staging);
        if (!Files.isRegularFile(listingFile)) {
            AtomicFiles.write(listingFile, listing.getBytes(StandardCharsets.UTF_8));
        }
        long total = objects.stream().mapToLong(S3Object::size).sum();
        long done = 0;
        for (S3Object o : objects) {
            String rel = o.key().substring(location.prefix().length());
            Path target = staging.resolve(rel).normalize();
            if (!target.startsWith(staging)) {
                throw new IOException("model object s3://" + location.bucket() + "/" + o.key()
                    + " resolves outside the cache entry");
            }
            if (!(Files.isRegularFile(target) && Files.size(target) == o.size())) {
                Files.createDirectories(target.getParent());
                fetch(location.bucket(), o, staging.resolve(PARTIAL), done, total, progress);
                AtomicFiles.publish(staging.resolve(PARTIAL), target);
            }
            done += o.size();
            progress.downloaded(done, total);
        }
        Path complete = staging.resolve(COMPLETE);
        AtomicFiles.write(complete, listing.getBytes(StandardCharsets.UTF_8));
        touch(staging);
    }

    /** Reads one object into {@code file} (fsynced), retrying a read that breaks off. */
    private void fetch(String bucket, S3Object o, Path file, long before, long total, Progress progress)
        throws IOException {
        String uri = "s3://" + bucket + "/" + o.key();
        for (int attempt = 1; ; attempt++) {
            try {
                fetchOnce(bucket, o, file, uri, before, total, progress);
                return;
            } catch (ArtifactIntegrityException e) {
                throw e;
            } catch (IOException | SdkException e) {
                if (attempt == OBJECT_ATTEMPTS) {
                    throw new IOException("S3 GetObject for " + uri + " failed " + attempt + " times: "
                        + e.getMessage(), e);
                }
            }
        }
    }

    private void fetchOnce(String bucket, S3Object o, Path file, String uri, long before, long total,
                           Progress progress) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        long n = 0;
        String expectedSha;
        String stage;
        try (ResponseInputStream<GetObjectResponse> body = s3.getObject(b -> b.bucket(bucket).key(o.key()));
             OutputStream out = Files.newOutputStream(file)) {
            expectedSha = body.response().metadata().get("sha256");
            stage = body.response().metadata().get("stage");
            byte[] buffer = new byte[Sha256.BUFFER];
            long reported = 0;
            for (int r; (r = body.read(buffer)) >= 0; ) {
                out.write(buffer, 0, r);
                digest.update(buffer, 0, r);
                n += r;
                if (n - reported >= REPORT_EVERY) {
                    reported = n;
                    progress.downloaded(before + n, total);
                }
            }
        }
        if (n != o.size()) {
            throw new ArtifactIntegrityException(uri, stage, "listed as " + o.size() + " bytes but " + n
                + " bytes were read");
        }
        String actual = Sha256.hex(digest);
        if (expectedSha != null && !expectedSha.equalsIgnoreCase(actual)) {
            throw new ArtifactIntegrityException(uri, stage, expectedSha, o.size(), actual, n);
        }
        AtomicFiles.fsync(file);
    }

    private void touch(Path entry) throws IOException {
        Files.setLastModifiedTime(entry.resolve(COMPLETE), FileTime.from(clock.instant()));
    }

    /**
     * Removes least-recently-used entries other than {@code keep} until the cache fits; clears leftovers older than
     * {@link #STALE} (staging directories only when nobody downloads into them).
     */
    private void evict(Path keep, String keepName) throws IOException {
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
                boolean stale = Files.getLastModifiedTime(p).toInstant().isBefore(clock.instant().minus(STALE));
                if (stale && n.startsWith(".trash-")) {
                    deleteTree(p);
                } else if (stale && n.startsWith(".staging-") && !n.equals(".staging-" + keepName)) {
                    Optional<FileLocks.Held> idle = FileLocks.tryAcquire(
                        root.resolve(".download-" + n.substring(".staging-".length()) + ".lock"));
                    if (idle.isPresent()) {
                        try (FileLocks.Held ignored = idle.get()) {
                            deleteTree(p);
                        }
                    }
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
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
