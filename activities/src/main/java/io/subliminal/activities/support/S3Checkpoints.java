package io.subliminal.activities.support;

import io.subliminal.store.ArtifactIntegrityException;
import io.subliminal.store.ArtifactNotFoundException;
import io.subliminal.store.S3Clients;
import io.subliminal.store.S3ModelCache;
import io.subliminal.store.S3Settings;
import io.subliminal.workflows.recipe.ModelSpec;
import io.subliminal.workflows.stage.StageFailures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;

/**
 * The base models of registry entries with {@code source: s3}: the HF checkpoint directory under the entry's
 * {@code uri}, as a local directory of this host's {@link S3ModelCache} (downloaded on first use, then served from
 * disk without S3 requests).
 *
 * <p>While a stage waits for a download it heartbeats the bytes done through its {@link ActivityContext}, and a
 * cancelled or timed-out activity stops the download (the files finished so far stay for the next attempt). A prefix
 * without objects or without {@code config.json}, or an object that does not match its recorded size or sha256, fails
 * non-retryably naming the request field and the model; S3 errors fail retryably.
 */
public final class S3Checkpoints {

    /** Opens the cache on first use (so a worker whose registry names no S3 model never builds an S3 client). */
    @FunctionalInterface
    public interface CacheOpener {
        S3ModelCache open() throws IOException;
    }

    private final CacheOpener opener;
    private S3ModelCache cache;

    public S3Checkpoints(CacheOpener opener) {
        this.opener = Objects.requireNonNull(opener, "opener");
    }

    /** Checkpoints of an open cache. */
    public static S3Checkpoints of(S3ModelCache cache) {
        Objects.requireNonNull(cache, "cache");
        return new S3Checkpoints(() -> cache);
    }

    /**
     * Checkpoints cached under {@code directory} (bounded by {@code maxBytes}), read with a client configured like
     * the artifact store's ({@code SUBLIMINAL_S3_*}, {@code AWS_*} from {@code env}).
     */
    public static S3Checkpoints fromEnvironment(Path directory, long maxBytes, Map<String, String> env) {
        return new S3Checkpoints(() -> new S3ModelCache(S3Clients.create(S3Settings.fromEnvironment(env)), directory,
                maxBytes, Clock.systemUTC()));
    }

    /** The local checkpoint directory of {@code spec} (request field {@code field}), downloading it on a miss. */
    public Path directory(String field, ModelSpec spec) {
        String what = field + ": model '" + spec.name() + "' (" + spec.uri() + ")";
        S3ModelCache models = cache(what);
        S3ModelCache.Progress progress = ActivityContext.onThisThread()
                .map(context -> progress(context, spec.name()))
                .orElse(S3ModelCache.Progress.NONE);
        try {
            return models.resolve(spec.uri(), progress);
        } catch (ArtifactNotFoundException e) {
            throw new InvalidInputException(what + ": " + e.getMessage(), StageFailures.INVALID_INPUT);
        } catch (ArtifactIntegrityException e) {
            throw new InvalidInputException(what + ": " + e.getMessage(), StageFailures.ARTIFACT_INTEGRITY);
        } catch (IOException e) {
            throw new UncheckedIOException("downloading " + what + ": " + e.getMessage(), e);
        }
    }

    private synchronized S3ModelCache cache(String what) {
        if (cache == null) {
            try {
                cache = opener.open();
            } catch (IOException e) {
                throw new UncheckedIOException("opening the model cache for " + what + ": " + e.getMessage(), e);
            }
        }
        return cache;
    }

    private static S3ModelCache.Progress progress(ActivityContext context, String model) {
        return new S3ModelCache.Progress() {
            @Override
            public void downloaded(long bytes, long totalBytes) {
                context.progress("download-model " + model, bytes, totalBytes);
            }

            @Override
            public void waitingForOtherDownload() {
                context.progress("wait-model-download " + model, 0, 0);
            }
        };
    }
}
