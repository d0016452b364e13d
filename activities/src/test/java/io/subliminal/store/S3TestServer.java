package io.subliminal.store;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests: S3Proxy (Maven Central {@code org.gaul:s3proxy}, installed into
 * {@code .tools/s3proxy/} by {@code scripts/setup.sh}) with its filesystem backend, started as a separate process on
 * 127.0.0.1 with a random port. Its data directory survives {@link #stop()}/{@link #start()}, like a real server's.
 */
public final class S3TestServer implements AutoCloseable {

    public static final String ACCESS_KEY = "subliminal-test";
    public static final String SECRET_KEY = "subliminal-test-secret";

    private final Path jar;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private Process process;

    private S3TestServer(Path jar, Path workDir) throws IOException {
        this.jar = jar;
        this.dataDir = Files.createDirectories(workDir.resolve("data"));
        Path logs = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target", "s3proxy-logs"));
        this.logFile = logs.resolve("s3proxy-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".log");
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            this.port = s.getLocalPort();
        }
        Path conf = workDir.resolve("s3proxy.conf");
        Files.writeString(conf, String.join("\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY,
            "s3proxy.credential=" + SECRET_KEY,
            "jclouds.provider=filesystem-nio2",
            "jclouds.identity=local",
            "jclouds.credential=local",
            "jclouds.filesystem.basedir=" + dataDir,
            ""));
    }

    /**
     * Starts a server in {@code workDir}. Skips the calling test when S3Proxy is not installed, except under
     * {@code CI=true}, where a missing server fails.
     */
    public static S3TestServer start(Path workDir) throws IOException {
        Path jar = locateJar();
        if (!Files.isRegularFile(jar)) {
            String msg = "S3 test server not installed at " + jar + ": run scripts/setup.sh";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(msg);
            }
            System.err.println("SKIPPED (S3 tests): " + msg);
            Assumptions.abort(msg);
        }
        S3TestServer server = new S3TestServer(jar, workDir);
        server.start();
        return server;
    }

    private static Path locateJar() {
        String explicit = System.getProperty("subliminal.s3proxy.jar", System.getenv("SUBLIMINAL_S3PROXY_JAR"));
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String root = System.getProperty("subliminal.root", "..");
        return Path.of(root, ".tools", "s3proxy", "s3proxy.jar");
    }

    /** Starts (or restarts) the server process and waits until it accepts connections. */
    synchronized void start() throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-jar", jar.toString(),
            "--properties", dataDir.resolveSibling("s3proxy.conf").toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
        Process started = process;
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly)); // never outlive the tests
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("S3 test server exited with " + process.exitValue() + "; see " + logFile);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        throw new IOException("S3 test server did not listen on port " + port + " within 60 s; see " + logFile);
    }

    /** Stops the server process (its data stays). */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The server's on-disk data directory (one sub-directory per bucket). */
    Path dataDir() {
        return dataDir;
    }

    /** Settings for this server with quick retries: 8 attempts, 0.2 s to 3 s backoff. */
    public S3Settings settings() {
        return S3Settings.forEndpoint(endpoint()).withRegion("us-east-1")
            .withRetries(8, Duration.ofMillis(200), Duration.ofSeconds(3));
    }

    /** A client for this server built the way production builds one. */
    public S3Client client(S3Settings settings) {
        return S3Clients.create(settings,
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)));
    }

    @Override
    public void close() {
        stop();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
