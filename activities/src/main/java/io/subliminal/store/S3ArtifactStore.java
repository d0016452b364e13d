package io.subliminal.store;

import io.subliminal.workflows.payload.ArtifactRef;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Artifacts as objects under an S3 prefix ({@code s3://bucket/prefix/key}), through the AWS SDK v2 against AWS or
 * any S3-compatible server.
 *
 * <p>Writes: the sha256 is known before the object is created, so the object carries its whole manifest as user
 * metadata and appears atomically with it. Content below one part goes up as a single PUT; larger content goes up
 * as a multipart upload, one part buffer in memory at a time, and the key appears only when
 * CompleteMultipartUpload succeeds (a failed upload is aborted). A stream larger than one part is first spooled to
 * a local temporary file while hashing; a file is hashed in a first pass and hashed again while its parts are sent,
 * and the upload is only completed when both digests agree. Then the {@code .manifest.json} object is written from
 * the metadata of the object now at the key, and re-checked, so concurrent writers of one key leave one artifact
 * and a manifest that describes it. Transient failures (connection refused, 5xx, throttling) are retried by the
 * SDK's retry strategy configured in {@link S3Clients}.
 */
public final class S3ArtifactStore implements ArtifactStore {

    private static final String OCTETS = "application/octet-stream";
    private static final int MAX_PARTS = 10_000;
    private static final int MANIFEST_ROUNDS = 20;
    private static final int WHOLE_UPLOAD_ATTEMPTS = 2;
    private static final Logger LOG = LoggerFactory.getLogger(S3ArtifactStore.class);

    private final S3Client s3;
    private final boolean ownsClient;
    private final S3Location location;
    private final int partSize;
    private final int uploadConcurrency;
    private final ExecutorService uploads;
    private final Path spoolDir;
    private final String codeVersion;
    private final Clock clock;

    /**
     * @param s3 the client (see {@link S3Clients})
     * @param ownsClient whether {@link #close()} closes the client
     * @param location bucket and prefix of this store
     * @param partSize multipart part size in bytes
     * @param uploadConcurrency parts sent in parallel per upload (memory: this many part buffers per upload)
     * @param spoolDir where streams larger than one part are spooled before upload
     * @param codeVersion recorded in every manifest
     */
    public S3ArtifactStore(S3Client s3, boolean ownsClient, S3Location location, int partSize,
                           int uploadConcurrency, Path spoolDir, String codeVersion, Clock clock) {
        this.s3 = Objects.requireNonNull(s3, "s3 client");
        this.ownsClient = ownsClient;
        this.location = Objects.requireNonNull(location, "location");
        if (partSize < S3Settings.MIN_PART) {
            throw new IllegalArgumentException("partSize must be >= 5 MiB: " + partSize);
        }
        if (uploadConcurrency < 1) {
            throw new IllegalArgumentException("uploadConcurrency must be >= 1: " + uploadConcurrency);
        }
        this.partSize = partSize;
        this.uploadConcurrency = uploadConcurrency;
        this.spoolDir = Objects.requireNonNull(spoolDir, "spoolDir");
        Manifest.checkText("codeVersion", codeVersion);
        this.codeVersion = codeVersion;
        this.clock = Objects.requireNonNull(clock, "clock");
        AtomicInteger threads = new AtomicInteger();
        this.uploads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "s3-part-upload-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** A store that sends the parts of an upload one after another. */
    public S3ArtifactStore(S3Client s3, boolean ownsClient, S3Location location, int partSize, Path spoolDir,
                           String codeVersion, Clock clock) {
        this(s3, ownsClient, location, partSize, 1, spoolDir, codeVersion, clock);
    }

    /** A store at {@code location} with its own client built from {@code settings}. */
    public static S3ArtifactStore create(S3Location location, S3Settings settings) {
        return new S3ArtifactStore(S3Clients.create(settings), true, location, settings.partSizeBytes(),
            settings.uploadConcurrency(), Path.of(System.getProperty("java.io.tmpdir")), CodeVersion.current(),
            Clock.systemUTC());
    }

    /** The bucket and prefix. */
    public S3Location location() {
        return location;
    }

    @Override
    public URI root() {
        return location.uri();
    }

    @Override
    public String uri(ArtifactKey key) {
        return "s3://" + location.bucket() + "/" + objectKey(key);
    }

    private String objectKey(ArtifactKey key) {
        return location.objectKey(key.value());
    }

    @Override
    public ArtifactKey keyOf(ArtifactRef ref) {
        String base = "s3://" + location.bucket() + "/" + location.prefix();
        if (!ref.uri().startsWith(base) || ref.uri().length() == base.length()) {
            throw new IllegalArgumentException("artifact uri " + ref.uri() + " is outside this store (" + base + ")");
        }
        return new ArtifactKey(ref.uri().substring(base.length()));
    }

    @Override
    public ArtifactRef put(ArtifactKey key, InputStream content, Provenance provenance) throws IOException {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(provenance, "provenance");
        byte[] head = content.readNBytes(partSize);
        if (head.length < partSize) {
            putSingle(key, head, provenance);
            return publishManifest(key);
        }
        Files.createDirectories(spoolDir);
        Path spool = Files.createTempFile(spoolDir, ".s3-spool-", ".tmp");
        try {
            MessageDigest digest = Sha256.newDigest();
            long size;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(spool), digest)) {
                out.write(head);
                head = null; // the part buffer of the multipart upload replaces it
                size = partSize + content.transferTo(out);
            }
            putMultipart(key, spool, Manifest.of(Sha256.hex(digest), size, provenance, codeVersion,
                clock.instant()));
        } finally {
            Files.deleteIfExists(spool);
        }
        return publishManifest(key);
    }

    @Override
    public ArtifactRef put(ArtifactKey key, Path file, Provenance provenance) throws IOException {
        Objects.requireNonNull(provenance, "provenance");
        if (Files.size(file) < partSize) {
            try (InputStream in = Files.newInputStream(file)) {
                return put(key, in, provenance);
            }
        }
        Sha256.Digested d = Sha256.of(file);
        putMultipart(key, file, Manifest.of(d.sha256(), d.size(), provenance, codeVersion, clock.instant()));
        return publishManifest(key);
    }

    private void putSingle(ArtifactKey key, byte[] bytes, Provenance provenance) throws IOException {
        Manifest m = Manifest.of(Sha256.hex(bytes), bytes.length, provenance, codeVersion, clock.instant());
        call("PutObject", uri(key), () -> s3.putObject(b -> b.bucket(location.bucket()).key(objectKey(key))
                .contentType(OCTETS).metadata(m.toMetadata()),
            RequestBody.fromContentProvider(() -> new ByteArrayInputStream(bytes), bytes.length, OCTETS)));
    }

    /**
     * Uploads {@code file} in parts. When the service keeps failing a request after the SDK's retries (an upload
     * the server lost or cannot complete after a crash, say), the upload is aborted and started once more with a
     * new upload id.
     */
    private void putMultipart(ArtifactKey key, Path file, Manifest manifest) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                uploadParts(key, file, manifest);
                return;
            } catch (IOException e) {
                if (attempt >= WHOLE_UPLOAD_ATTEMPTS || !(e.getCause() instanceof SdkException)) {
                    throw e;
                }
                LOG.warn("multipart upload of {} failed ({}); starting it again with a new upload", uri(key),
                    e.getMessage());
            }
        }
    }

    /** One multipart upload of {@code file}; the key only appears on CompleteMultipartUpload. */
    private void uploadParts(ArtifactKey key, Path file, Manifest manifest) throws IOException {
        String uri = uri(key);
        String objectKey = objectKey(key);
        if ((manifest.size() + partSize - 1) / partSize > MAX_PARTS) {
            throw new IOException("artifact " + uri + " of " + manifest.size() + " bytes needs more than " + MAX_PARTS
                + " parts of " + partSize + " bytes: raise SUBLIMINAL_S3_PART_SIZE_MB");
        }
        String uploadId = call("CreateMultipartUpload", uri, () -> s3.createMultipartUpload(b -> b
            .bucket(location.bucket()).key(objectKey).contentType(OCTETS).metadata(manifest.toMetadata()))).uploadId();
        boolean completed = false;
        List<Future<CompletedPart>> inFlight = new ArrayList<>();
        try {
            MessageDigest digest = Sha256.newDigest();
            BlockingQueue<byte[]> freeBuffers = new ArrayBlockingQueue<>(uploadConcurrency);
            int buffers = 0;
            long sent = 0;
            try (InputStream in = Files.newInputStream(file)) {
                for (int number = 1; ; number++) {
                    byte[] buf = freeBuffers.poll();
                    if (buf == null && buffers < uploadConcurrency) {
                        buf = new byte[partSize];
                        buffers++;
                    }
                    while (buf == null) {
                        failFast(inFlight);
                        buf = freeBuffers.poll(100, TimeUnit.MILLISECONDS);
                    }
                    int n = in.readNBytes(buf, 0, partSize);
                    if (n == 0) {
                        break;
                    }
                    digest.update(buf, 0, n);
                    sent += n;
                    final byte[] part = buf;
                    final int partNumber = number;
                    inFlight.add(uploads.submit(() -> {
                        try {
                            UploadPartResponse r = call("UploadPart " + partNumber, uri, () -> s3.uploadPart(b -> b
                                    .bucket(location.bucket()).key(objectKey).uploadId(uploadId)
                                    .partNumber(partNumber).contentLength((long) n),
                                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(part, 0, n), n,
                                    OCTETS)));
                            return CompletedPart.builder().partNumber(partNumber).eTag(r.eTag()).build();
                        } finally {
                            freeBuffers.add(part);
                        }
                    }));
                    if (n < partSize) {
                        break;
                    }
                }
            }
            List<CompletedPart> parts = new ArrayList<>();
            for (Future<CompletedPart> f : inFlight) {
                parts.add(await(f));
            }
            String sentSha = Sha256.hex(digest);
            if (sent != manifest.size() || !sentSha.equals(manifest.sha256())) {
                throw new IOException("source of " + uri + " changed while uploading: hashed " + manifest.sha256()
                    + " (" + manifest.size() + " bytes) but sent " + sentSha + " (" + sent + " bytes)");
            }
            try {
                call("CompleteMultipartUpload", uri, () -> s3.completeMultipartUpload(b -> b
                    .bucket(location.bucket()).key(objectKey).uploadId(uploadId)
                    .multipartUpload(u -> u.parts(parts))));
            } catch (IOException e) {
                if (!(e.getCause() instanceof NoSuchUploadException) || !holds(key, manifest)) {
                    throw e;
                }
                // a retried Complete whose first attempt succeeded: the object is there with our manifest
            }
            completed = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while uploading " + uri);
        } finally {
            if (!completed) {
                for (Future<CompletedPart> f : inFlight) {
                    f.cancel(true);
                }
                try {
                    s3.abortMultipartUpload(b -> b.bucket(location.bucket()).key(objectKey).uploadId(uploadId));
                } catch (SdkException e) {
                    // best effort; a bucket lifecycle rule for incomplete uploads reclaims the parts
                }
            }
        }
    }

    /** Throws the failure of the first part upload that failed, if any, so a doomed upload stops reading early. */
    private static void failFast(List<Future<CompletedPart>> inFlight) throws IOException {
        for (Future<CompletedPart> f : inFlight) {
            if (f.isDone()) {
                await(f);
            }
        }
    }

    private static CompletedPart await(Future<CompletedPart> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("part upload failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while uploading parts");
        }
    }

    private boolean holds(ArtifactKey key, Manifest manifest) throws IOException {
        Optional<HeadObjectResponse> h = head(objectKey(key), uri(key));
        return h.isPresent() && manifest.sha256().equals(h.get().metadata().get("sha256"))
            && manifest.createdAt().toString().equals(h.get().metadata().get("created-at"));
    }

    /**
     * Writes the manifest object from the metadata of the object now at {@code key} and checks that the object did
     * not change meanwhile; repeats while concurrent writers replace it.
     */
    private ArtifactRef publishManifest(ArtifactKey key) throws IOException {
        String uri = uri(key);
        for (int round = 0; round < MANIFEST_ROUNDS; round++) {
            HeadObjectResponse before = head(objectKey(key), uri)
                .orElseThrow(() -> new IOException("artifact " + uri + " vanished right after it was written"));
            Manifest m = Manifest.fromMetadata(before.metadata(), uri);
            byte[] json = m.toJson();
            call("PutObject manifest", uri, () -> s3.putObject(b -> b.bucket(location.bucket())
                    .key(location.objectKey(key.manifestKey())).contentType("application/json"),
                RequestBody.fromContentProvider(() -> new ByteArrayInputStream(json), json.length,
                    "application/json")));
            Optional<HeadObjectResponse> after = head(objectKey(key), uri);
            if (after.isPresent() && Objects.equals(after.get().eTag(), before.eTag())
                && after.get().metadata().equals(before.metadata())) {
                return new ArtifactRef(uri, m.sha256(), m.size());
            }
        }
        throw new IOException("manifest of " + uri + " kept changing under concurrent writers ("
            + MANIFEST_ROUNDS + " rounds)");
    }

    @Override
    public Optional<StoredArtifact> find(ArtifactKey key) throws IOException {
        String uri = uri(key);
        Optional<HeadObjectResponse> h = head(objectKey(key), uri);
        if (h.isEmpty()) {
            return Optional.empty();
        }
        Manifest fromObject;
        try {
            fromObject = Manifest.fromMetadata(h.get().metadata(), uri);
        } catch (IOException e) {
            return Optional.empty(); // an object this store did not write
        }
        Optional<byte[]> json = getBytes(location.objectKey(key.manifestKey()), uri + ArtifactKey.MANIFEST_SUFFIX);
        if (json.isEmpty()) {
            return Optional.empty();
        }
        Manifest manifest = Manifest.fromJson(json.get(), uri + ArtifactKey.MANIFEST_SUFFIX);
        if (!manifest.equals(fromObject) || manifest.size() != h.get().contentLength()) {
            return Optional.empty();
        }
        return Optional.of(new StoredArtifact(key, new ArtifactRef(uri, manifest.sha256(), manifest.size()),
            manifest));
    }

    @Override
    public InputStream open(ArtifactRef ref) throws IOException {
        ArtifactKey key = keyOf(ref);
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = call("GetObject", ref.uri(), () -> s3.getObject(b -> b.bucket(location.bucket())
                .key(objectKey(key))));
        } catch (IOException e) {
            if (e.getCause() instanceof NoSuchKeyException) {
                throw new ArtifactNotFoundException(ref.uri());
            }
            throw e;
        }
        String stage = in.response().metadata().get("stage");
        return new VerifyingInputStream(in, ref.uri(), stage, ref.sha256(), ref.size());
    }

    @Override
    public List<ArtifactKey> list(String prefix) throws IOException {
        ArtifactKey.checkPrefix(prefix);
        Set<String> names = new HashSet<>();
        call("ListObjectsV2", root() + prefix, () -> {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(location.bucket())
                .prefix(location.objectKey(prefix))).contents()) {
                names.add(o.key().substring(location.prefix().length()));
            }
            return null;
        });
        List<ArtifactKey> keys = new ArrayList<>();
        for (String name : names) {
            if (name.endsWith(ArtifactKey.MANIFEST_SUFFIX)) {
                String k = name.substring(0, name.length() - ArtifactKey.MANIFEST_SUFFIX.length());
                if (names.contains(k)) {
                    try {
                        keys.add(new ArtifactKey(k));
                    } catch (IllegalArgumentException e) {
                        // an object under the prefix that is not an artifact key
                    }
                }
            }
        }
        keys.sort(java.util.Comparator.comparing(ArtifactKey::value));
        return keys;
    }

    @Override
    public void delete(ArtifactKey key) throws IOException {
        call("DeleteObject manifest", uri(key), () -> s3.deleteObject(b -> b.bucket(location.bucket())
            .key(location.objectKey(key.manifestKey()))));
        call("DeleteObject", uri(key), () -> s3.deleteObject(b -> b.bucket(location.bucket()).key(objectKey(key))));
    }

    @Override
    public void close() {
        uploads.shutdown();
        if (ownsClient) {
            s3.close();
        }
    }

    private Optional<HeadObjectResponse> head(String objectKey, String uri) throws IOException {
        try {
            return Optional.of(call("HeadObject", uri, () -> s3.headObject(b -> b.bucket(location.bucket())
                .key(objectKey))));
        } catch (IOException e) {
            if (e.getCause() instanceof NoSuchKeyException
                || e.getCause() instanceof S3Exception s && s.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private Optional<byte[]> getBytes(String objectKey, String uri) throws IOException {
        try {
            return Optional.of(call("GetObject", uri, () -> s3.getObjectAsBytes(b -> b.bucket(location.bucket())
                .key(objectKey))).asByteArray());
        } catch (IOException e) {
            if (e.getCause() instanceof NoSuchKeyException
                || e.getCause() instanceof S3Exception s && s.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Runs one SDK call (already retried by the client) and turns its failure into an IOException naming it. */
    private static <T> T call(String operation, String uri, SdkCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (SdkException e) {
            throw new IOException("S3 " + operation + " for " + uri + " failed: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface SdkCall<T> {
        T run() throws IOException;
    }
}
