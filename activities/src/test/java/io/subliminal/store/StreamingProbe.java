package io.subliminal.store;

import io.subliminal.workflows.payload.ArtifactRef;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Random;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Run in a child JVM with a small heap by {@link S3ArtifactStoreTest}: stores a generated artifact larger than the
 * heap from a stream and from a file, reads both back to files, and checks their digests.
 * Arguments: endpoint, bucket, size in MiB, work directory.
 */
public final class StreamingProbe {

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        String bucket = args[1];
        long size = Long.parseLong(args[2]) << 20;
        Path work = Files.createDirectories(Path.of(args[3]));
        S3Settings settings = S3Settings.forEndpoint(endpoint).withRegion("us-east-1");
        try (S3Client client = new S3TestServerClient().client(settings)) {
            S3ArtifactStore store = new S3ArtifactStore(client, false, S3Location.parse("s3://" + bucket + "/probe/"),
                S3Settings.MIN_PART, 2, work, "probe", Clock.systemUTC());
            Provenance p = new Provenance("probe", "probe");

            MessageDigest expected = Sha256.newDigest();
            ArtifactRef streamed = store.put(new ArtifactKey("streamed.bin"), new Generated(size, 7, expected), p);
            check(streamed, Sha256.hex(expected), size);
            Path back = store.get(streamed, work.resolve("streamed.back"));
            check(streamed, Sha256.of(back).sha256(), Files.size(back));
            System.out.println("stream-put-get ok " + streamed.sha256());

            Path file = work.resolve("source.bin");
            try (InputStream in = new Generated(size, 8, Sha256.newDigest())) {
                Files.copy(in, file);
            }
            ArtifactRef fromFile = store.put(new ArtifactKey("file.bin"), file, p);
            check(fromFile, Sha256.of(file).sha256(), size);
            Files.delete(file);
            try (InputStream in = store.open(fromFile)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            System.out.println("file-put-get ok " + fromFile.sha256());
        }
    }

    private static void check(ArtifactRef ref, String sha, long size) {
        if (!ref.sha256().equals(sha) || ref.size() != size) {
            throw new IllegalStateException("digest mismatch: " + ref + " vs " + sha + " / " + size);
        }
    }

    /** Pseudo-random bytes produced on demand, hashed as they are handed out. */
    private static final class Generated extends InputStream {
        private final Random random;
        private final MessageDigest digest;
        private long left;

        Generated(long size, long seed, MessageDigest digest) {
            this.random = new Random(seed);
            this.digest = digest;
            this.left = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, Math.min(left, 8192));
            byte[] chunk = new byte[n];
            random.nextBytes(chunk);
            System.arraycopy(chunk, 0, b, off, n);
            digest.update(chunk);
            left -= n;
            return n;
        }
    }

    /** Builds a client with the test server's static credentials. */
    private static final class S3TestServerClient {
        S3Client client(S3Settings settings) {
            return S3Clients.create(settings, software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(S3TestServer.ACCESS_KEY,
                    S3TestServer.SECRET_KEY)));
        }
    }
}
