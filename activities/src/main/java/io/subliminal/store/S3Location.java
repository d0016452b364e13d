package io.subliminal.store;

import java.net.URI;
import java.util.Objects;

/**
 * A bucket and a key prefix, parsed from {@code s3://bucket[/prefix]}.
 *
 * @param bucket bucket name
 * @param prefix key prefix, empty or ending with '/'
 */
public record S3Location(String bucket, String prefix) {

    public S3Location {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("invalid S3 bucket name '" + bucket + "'");
        }
        if (!prefix.isEmpty()) {
            ArtifactKey.checkPrefix(prefix);
            if (!prefix.endsWith("/")) {
                throw new IllegalArgumentException("S3 prefix must end with '/': '" + prefix + "'");
            }
        }
    }

    /** Parses {@code s3://bucket}, {@code s3://bucket/} or {@code s3://bucket/a/b[/]}. */
    public static S3Location parse(String uri) {
        Objects.requireNonNull(uri, "s3 uri");
        if (!uri.startsWith("s3://")) {
            throw new IllegalArgumentException("not an s3:// uri: " + uri);
        }
        String rest = uri.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        if (!prefix.isEmpty() && !prefix.endsWith("/")) {
            prefix = prefix + "/";
        }
        return new S3Location(bucket, prefix);
    }

    /** The full object key of a store-relative key. */
    public String objectKey(String relative) {
        return prefix + relative;
    }

    /** This location as {@code s3://bucket/prefix}. */
    public URI uri() {
        return URI.create("s3://" + bucket + "/" + prefix);
    }

    /** A location for a sub-prefix. */
    public S3Location resolve(String child) {
        String c = child.endsWith("/") ? child : child + "/";
        return new S3Location(bucket, prefix + c);
    }
}
