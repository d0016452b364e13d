package io.subliminal.workers.devserver;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Arrays;
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

    private WorkerProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts a worker of {@code role} ("orchestrator" or "gpu"); output goes to {@code dir/<name>.log}. */
    static WorkerProcess start(String name, String role, String temporalAddress, Path root, Path referenceData, Path dir)
            throws IOException {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.endsWith("test-classes"))
                .collect(Collectors.joining(File.pathSeparator));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Xmx2g", "-cp", classPath,
                "io.subliminal.workers.Application");
        Map<String, String> env = builder.environment();
        env.put("SUBLIMINAL_ROLE", role);
        env.put("SUBLIMINAL_DEVICE", "cpu");
        env.put("SUBLIMINAL_TEMPORAL_ADDRESS", temporalAddress);
        env.put("SUBLIMINAL_STORE", dir.resolve("store").toUri().toString());
        env.put("SUBLIMINAL_MODELS_DIR", root.resolve("models").toString());
        env.put("SUBLIMINAL_REGISTRY_FILE", root.resolve("cfgs/models.yaml").toString());
        env.put("SUBLIMINAL_REFERENCE_DIR", referenceData.toString());
        env.put("SUBLIMINAL_WORKER_DIR", dir.resolve("worker-" + name).toString());
        env.put("SUBLIMINAL_HTTP_PORT", String.valueOf(freePort()));
        env.put("SUBLIMINAL_DRAIN_TIMEOUT", "20s");
        env.put("DJL_OFFLINE", "true");
        Path log = dir.resolve(name + ".log");
        Process process = builder.directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new WorkerProcess(process, log);
    }

    Path log() {
        return log;
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
