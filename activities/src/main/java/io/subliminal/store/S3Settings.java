package io.subliminal.store;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach an S3-compatible service (AWS, MinIO, Ceph RGW, ...). Credentials come from the AWS SDK's default
 * chain (environment, system properties, profile files, container/instance roles).
 *
 * @param endpoint endpoint override (MinIO, Ceph), empty for AWS
 * @param region region; empty means the SDK's region chain, falling back to us-east-1 with an endpoint override
 * @param pathStyle path-style addressing ({@code http://host/bucket/key}), usual for MinIO and Ceph
 * @param partSizeBytes multipart part size (and the largest single PUT); at least 5 MiB, at most 5 GiB
 * @param maxAttempts attempts per request (first try included) under the SDK's standard retry strategy
 * @param retryBaseDelay first backoff delay
 * @param retryMaxDelay largest backoff delay
 * @param flexibleChecksums whether the SDK adds its CRC trailers to uploads (AWS, recent MinIO); off by default
 *     for compatibility with servers that do not accept {@code aws-chunked} trailers. Content integrity does not
 *     depend on it: the store checks sha256 end to end.
 * @param uploadConcurrency parts of one multipart upload sent in parallel (each holds one part buffer)
 */
public record S3Settings(Optional<URI> endpoint, Optional<String> region, boolean pathStyle, int partSizeBytes,
                         int maxAttempts, Duration retryBaseDelay, Duration retryMaxDelay,
                         boolean flexibleChecksums, int uploadConcurrency) {

    public static final int MIN_PART = 5 << 20;
    public static final long MAX_PART = 5L << 30;
    public static final int DEFAULT_PART = 32 << 20;

    public S3Settings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(region, "region");
        Objects.requireNonNull(retryBaseDelay, "retryBaseDelay");
        Objects.requireNonNull(retryMaxDelay, "retryMaxDelay");
        if (partSizeBytes < MIN_PART) {
            throw new IllegalArgumentException("S3 partSizeBytes must be >= 5 MiB (S3's minimum part): "
                + partSizeBytes);
        }
        if (uploadConcurrency < 1 || uploadConcurrency > 64) {
            throw new IllegalArgumentException("S3 uploadConcurrency must be in 1..64: " + uploadConcurrency);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("S3 maxAttempts must be >= 1: " + maxAttempts);
        }
        if (retryBaseDelay.isNegative() || retryBaseDelay.isZero() || retryMaxDelay.compareTo(retryBaseDelay) < 0) {
            throw new IllegalArgumentException("S3 retry delays must satisfy 0 < base <= max: "
                + retryBaseDelay + ", " + retryMaxDelay);
        }
    }

    /**
     * AWS defaults: no endpoint override, virtual-hosted style, 32 MiB parts sent 4 at a time, 10 attempts, 0.2 s to
     * 20 s backoff.
     */
    public static S3Settings defaults() {
        return new S3Settings(Optional.empty(), Optional.empty(), false, DEFAULT_PART, 10,
            Duration.ofMillis(200), Duration.ofSeconds(20), false, 4);
    }

    /** Settings for an S3-compatible server at {@code endpoint} (path-style addressing). */
    public static S3Settings forEndpoint(URI endpoint) {
        return defaults().withEndpoint(endpoint).withPathStyle(true);
    }

    public S3Settings withEndpoint(URI uri) {
        return new S3Settings(Optional.of(uri), region, pathStyle, partSizeBytes, maxAttempts, retryBaseDelay,
            retryMaxDelay, flexibleChecksums, uploadConcurrency);
    }

    public S3Settings withRegion(String r) {
        return new S3Settings(endpoint, Optional.of(r), pathStyle, partSizeBytes, maxAttempts, retryBaseDelay,
            retryMaxDelay, flexibleChecksums, uploadConcurrency);
    }

    public S3Settings withPathStyle(boolean p) {
        return new S3Settings(endpoint, region, p, partSizeBytes, maxAttempts, retryBaseDelay, retryMaxDelay,
            flexibleChecksums, uploadConcurrency);
    }

    public S3Settings withPartSize(int bytes) {
        return new S3Settings(endpoint, region, pathStyle, bytes, maxAttempts, retryBaseDelay, retryMaxDelay,
            flexibleChecksums, uploadConcurrency);
    }

    public S3Settings withRetries(int attempts, Duration base, Duration max) {
        return new S3Settings(endpoint, region, pathStyle, partSizeBytes, attempts, base, max, flexibleChecksums,
            uploadConcurrency);
    }

    public S3Settings withUploadConcurrency(int parts) {
        return new S3Settings(endpoint, region, pathStyle, partSizeBytes, maxAttempts, retryBaseDelay, retryMaxDelay,
            flexibleChecksums, parts);
    }

    public S3Settings withFlexibleChecksums(boolean on) {
        return new S3Settings(endpoint, region, pathStyle, partSizeBytes, maxAttempts, retryBaseDelay, retryMaxDelay,
            on, uploadConcurrency);
    }

    /**
     * Reads settings from environment variables: {@code SUBLIMINAL_S3_ENDPOINT} (or the SDK's
     * {@code AWS_ENDPOINT_URL_S3} / {@code AWS_ENDPOINT_URL}), {@code SUBLIMINAL_S3_REGION} (or {@code AWS_REGION}),
     * {@code SUBLIMINAL_S3_PATH_STYLE} (default true with an endpoint), {@code SUBLIMINAL_S3_PART_SIZE_MB},
     * {@code SUBLIMINAL_S3_MAX_ATTEMPTS}, {@code SUBLIMINAL_S3_UPLOAD_CONCURRENCY},
     * {@code SUBLIMINAL_S3_FLEXIBLE_CHECKSUMS}.
     */
    public static S3Settings fromEnvironment(Map<String, String> env) {
        S3Settings s = defaults();
        String endpoint = first(env, "SUBLIMINAL_S3_ENDPOINT", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
        if (endpoint != null) {
            try {
                s = s.withEndpoint(URI.create(endpoint)).withPathStyle(true);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("SUBLIMINAL_S3_ENDPOINT is not a uri: " + endpoint, e);
            }
        }
        String region = first(env, "SUBLIMINAL_S3_REGION", "AWS_REGION", "AWS_DEFAULT_REGION");
        if (region != null) {
            s = s.withRegion(region);
        }
        String pathStyle = env.get("SUBLIMINAL_S3_PATH_STYLE");
        if (pathStyle != null && !pathStyle.isBlank()) {
            s = s.withPathStyle(parseBoolean("SUBLIMINAL_S3_PATH_STYLE", pathStyle));
        }
        String part = env.get("SUBLIMINAL_S3_PART_SIZE_MB");
        if (part != null && !part.isBlank()) {
            s = s.withPartSize(Math.toIntExact(parseLong("SUBLIMINAL_S3_PART_SIZE_MB", part) << 20));
        }
        String attempts = env.get("SUBLIMINAL_S3_MAX_ATTEMPTS");
        if (attempts != null && !attempts.isBlank()) {
            s = s.withRetries((int) parseLong("SUBLIMINAL_S3_MAX_ATTEMPTS", attempts), s.retryBaseDelay,
                s.retryMaxDelay);
        }
        String concurrency = env.get("SUBLIMINAL_S3_UPLOAD_CONCURRENCY");
        if (concurrency != null && !concurrency.isBlank()) {
            s = s.withUploadConcurrency((int) parseLong("SUBLIMINAL_S3_UPLOAD_CONCURRENCY", concurrency));
        }
        String flexible = env.get("SUBLIMINAL_S3_FLEXIBLE_CHECKSUMS");
        if (flexible != null && !flexible.isBlank()) {
            s = s.withFlexibleChecksums(parseBoolean("SUBLIMINAL_S3_FLEXIBLE_CHECKSUMS", flexible));
        }
        return s;
    }

    private static String first(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    private static boolean parseBoolean(String name, String v) {
        return switch (v.trim().toLowerCase()) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException(name + " must be true or false: " + v);
        };
    }

    private static long parseLong(String name, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer: " + v, e);
        }
    }
}
