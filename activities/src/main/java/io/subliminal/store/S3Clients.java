package io.subliminal.store;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the AWS SDK v2 S3 client that {@link S3ArtifactStore} and {@link S3ModelCache} use. */
public final class S3Clients {

    private S3Clients() {
    }

    /** A client with credentials from the SDK's default chain. */
    public static S3Client create(S3Settings settings) {
        return create(settings, DefaultCredentialsProvider.builder().build());
    }

    /**
     * A client for {@code settings}: endpoint override and path-style as set, the SDK's standard retry strategy with
     * {@code maxAttempts} and exponential backoff (half jitter; no circuit breaker, so a long outage is retried at
     * every request rather than failing fast), and connection/socket time-outs suited to multi-GiB transfers.
     */
    public static S3Client create(S3Settings settings, AwsCredentialsProvider credentials) {
        S3ClientBuilder b = S3Client.builder()
            .credentialsProvider(credentials)
            .region(region(settings))
            .forcePathStyle(settings.pathStyle())
            .requestChecksumCalculation(settings.flexibleChecksums()
                ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(settings.flexibleChecksums()
                ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClientBuilder(ApacheHttpClient.builder()
                .maxConnections(32)
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(Duration.ofMinutes(2)))
            .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(settings.maxAttempts())
                .backoffStrategy(BackoffStrategy.exponentialDelayHalfJitter(
                    settings.retryBaseDelay(), settings.retryMaxDelay()))
                .circuitBreakerEnabled(false)
                .build()));
        settings.endpoint().ifPresent(b::endpointOverride);
        return b.build();
    }

    private static Region region(S3Settings settings) {
        if (settings.region().isPresent()) {
            return Region.of(settings.region().get());
        }
        try {
            return new DefaultAwsRegionProviderChain().getRegion();
        } catch (RuntimeException e) {
            if (settings.endpoint().isPresent()) {
                return Region.US_EAST_1; // S3-compatible servers ignore the region but SigV4 needs one
            }
            throw new IllegalArgumentException("no AWS region configured: set SUBLIMINAL_S3_REGION or AWS_REGION", e);
        }
    }
}
