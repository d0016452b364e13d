package io.subliminal.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 helpers: a fresh digest, hex output, and a streaming digest of a file. */
final class Sha256 {

    static final int BUFFER = 1 << 16;

    private Sha256() {
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    static String hex(byte[] bytes) {
        MessageDigest d = newDigest();
        d.update(bytes);
        return hex(d);
    }

    /** Digest and length of a file, read in 64 KiB chunks. */
    static Digested of(Path file) throws IOException {
        MessageDigest d = newDigest();
        long size = 0;
        byte[] buf = new byte[BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
                size += n;
            }
        }
        return new Digested(hex(d), size);
    }

    /** A digest with the number of bytes it covers. */
    record Digested(String sha256, long size) {
    }
}
