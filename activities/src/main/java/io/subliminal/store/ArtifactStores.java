package io.subliminal.store;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/** Opens the artifact store a config or uri names: {@code s3://} for S3, anything else a local directory. */
public final class ArtifactStores {

    private ArtifactStores() {
    }

    /** Opens the store of {@code config}. */
    public static ArtifactStore open(StoreConfig config) throws IOException {
        if (config.isS3()) {
            S3Location location = S3Location.parse(config.uri());
            return new S3ArtifactStore(S3Clients.create(config.s3()), true, location, config.s3().partSizeBytes(),
                config.s3().uploadConcurrency(), config.spoolDir(), config.codeVersion(), Clock.systemUTC());
        }
        return new LocalArtifactStore(localPath(config.uri()), config.codeVersion(), Clock.systemUTC());
    }

    /** Opens the store at {@code uri}, with S3 settings from the environment. */
    public static ArtifactStore fromUri(String uri) throws IOException {
        StoreConfig env = StoreConfig.fromEnvironment(System.getenv());
        return open(new StoreConfig(uri, env.codeVersion(), env.s3(), env.spoolDir()));
    }

    /** Opens the store the environment names ({@code SUBLIMINAL_STORE}). */
    public static ArtifactStore fromEnvironment() throws IOException {
        return open(StoreConfig.fromEnvironment(System.getenv()));
    }

    static Path localPath(String uri) {
        if (uri.startsWith("file:")) {
            try {
                return Path.of(URI.create(uri));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("artifact store uri is not a valid file uri: " + uri, e);
            }
        }
        if (uri.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            throw new IllegalArgumentException("unsupported artifact store uri scheme (use file:// or s3://): " + uri);
        }
        return Path.of(uri);
    }
}
