package io.subliminal.store;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Which artifact store a worker uses and how to reach it.
 *
 * @param uri {@code file:///dir}, a plain directory path, or {@code s3://bucket/prefix}
 * @param codeVersion recorded in every manifest
 * @param s3 S3 connection settings (used for {@code s3://} uris)
 * @param spoolDir local directory for spooling streams larger than one S3 part
 */
public record StoreConfig(String uri, String codeVersion, S3Settings s3, Path spoolDir) {

    /** Environment variable naming the store uri. */
    public static final String STORE_ENV = "SUBLIMINAL_STORE";
    /** The default store: a local directory under the working directory. */
    public static final String DEFAULT_URI = "runs/artifacts";

    public StoreConfig {
        Objects.requireNonNull(uri, "store uri");
        if (uri.isBlank()) {
            throw new IllegalArgumentException("store uri must not be blank");
        }
        Manifest.checkText("codeVersion", codeVersion);
        Objects.requireNonNull(s3, "s3 settings");
        Objects.requireNonNull(spoolDir, "spoolDir");
    }

    /** A config for {@code uri} with S3 defaults, the current code version and the JVM's temporary directory. */
    public static StoreConfig of(String uri) {
        return new StoreConfig(uri, CodeVersion.current(), S3Settings.defaults(),
            Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Reads {@code SUBLIMINAL_STORE} (the worker's setting of the same name) (default {@value #DEFAULT_URI}), {@code SUBLIMINAL_SPOOL_DIR} and the
     * S3 variables of {@link S3Settings#fromEnvironment}.
     */
    public static StoreConfig fromEnvironment(Map<String, String> env) {
        String uri = env.getOrDefault(STORE_ENV, DEFAULT_URI);
        String spool = env.getOrDefault("SUBLIMINAL_SPOOL_DIR", System.getProperty("java.io.tmpdir"));
        return new StoreConfig(uri.isBlank() ? DEFAULT_URI : uri.trim(), CodeVersion.current(),
            S3Settings.fromEnvironment(env), Path.of(spool));
    }

    /** Whether this config names an S3 store. */
    public boolean isS3() {
        return uri.startsWith("s3://");
    }
}
