package io.subliminal.workers.devserver;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One worker application ({@code io.subliminal.workers.Application}) as a child JVM with the real stage activities:
 * the test's class path without the test classes (their {@code TestStageProvider} would register fake stages).
 */
final class WorkerProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final int httpPort;

    private WorkerProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /**
     * Starts a worker of {@code role} ("orchestrator" or "gpu") with a local file store under {@code dir/store};
     * output goes to {@code dir/<name>.log}.
     */
    static WorkerProcess start(String name, String role, String temporalAddress, Path root, Path referenceData, Path dir)
            throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("SUBLIMINAL_ROLE", role);
        env.put("SUBLIMINAL_DEVICE", "cpu");
        env.put("SUBLIMINAL_TEMPORAL_ADDRESS", temporalAddress);
        env.put("SUBLIMINAL_STORE", dir.resolve("store").toUri().toString());
        env.put("SUBLIMINAL_MODELS_DIR", root.resolve("models").toString());
        env.put("SUBLIMINAL_REGISTRY_FILE", root.resolve("cfgs/models.yaml").toString());
        env.put("SUBLIMINAL_REFERENCE_DIR", referenceData.toString());
        env.put("SUBLIMINAL_WORKER_DIR", dir.resolve("worker-" + name).toString());
        env.put("SUBLIMINAL_DRAIN_TIMEOUT", "20s");
        return start(name, env, root, dir);
    }

    /**
     * Starts a worker configured only by {@code environment} (added to this JVM's environment, as a container's
     * variables are); the HTTP port is a free one and DJL runs offline. Output goes to {@code dir/<name>.log}.
     */
    static WorkerProcess start(String name, Map<String, String> environment, Path root, Path dir) throws IOException {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx2g", "-cp", classPath,
                "io.subliminal.workers.Application");
        Map<String, String> env = builder.environment();
        env.putAll(environment);
        int httpPort = freePort();
        env.put("SUBLIMINAL_HTTP_PORT", String.valueOf(httpPort));
        env.put("DJL_OFFLINE", "true");
        Path log = dir.resolve(name + ".log");
        Process process = builder.directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new WorkerProcess(process, log, httpPort);
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    /** GET {@code path} ("/prometheus", "/health") of the worker's HTTP server: the body, or an exception. */
    String http(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + path + " of worker " + log.getFileName() + ": HTTP " + response.statusCode());
        }
        return response.body();
    }

    /**
     * Waits until {@code /health} answers 200 (worker polling, Temporal reachable) and returns its body; fails
     * with the log's path when the process exits or {@code timeout} passes first.
     */
    String awaitHealthy(java.time.Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("worker exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
                                .timeout(java.time.Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response.body();
                }
                last = "HTTP " + response.statusCode() + " " + response.body();
            } catch (IOException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("worker not healthy within " + timeout + " (" + last + "); see " + log);
    }

    /** SIGKILL: no drain, no checkpoint on the way out (a lost node). */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** SIGTERM (the worker drains), then SIGKILL after 30 s. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
