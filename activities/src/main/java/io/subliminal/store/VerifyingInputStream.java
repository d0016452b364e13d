package io.subliminal.store;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through while hashing them; on reaching the end (or on reading past the expected size) compares
 * digest and length with the expected ones and throws {@link ArtifactIntegrityException} on a mismatch. A reader
 * that closes the stream before its end gets no verification.
 */
final class VerifyingInputStream extends FilterInputStream {

    private final MessageDigest digest = Sha256.newDigest();
    private final String uri;
    private final String stage;
    private final String expectedSha256;
    private final long expectedSize;
    private long count;
    private boolean verified;

    VerifyingInputStream(InputStream in, String uri, String stage, String expectedSha256, long expectedSize) {
        super(in);
        this.uri = uri;
        this.stage = stage;
        this.expectedSha256 = expectedSha256;
        this.expectedSize = expectedSize;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n < 0) {
            verify();
            return -1;
        }
        digest.update(b, off, n);
        count += n;
        if (count > expectedSize) {
            throw new ArtifactIntegrityException(uri, stage, "more than the expected " + expectedSize + " bytes");
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(Sha256.BUFFER, Math.max(n, 1))];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported while verifying " + uri);
    }

    private void verify() throws IOException {
        if (verified) {
            return;
        }
        verified = true;
        String actual = Sha256.hex(digest);
        if (count != expectedSize || !actual.equals(expectedSha256)) {
            throw new ArtifactIntegrityException(uri, stage, expectedSha256, expectedSize, actual, count);
        }
    }
}
