package io.subliminal.workers.devserver;

import io.subliminal.workflows.sweep.SearchKeys;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Temporal dev server ({@code .tools/bin/temporal server start-dev}) as a child process on a random free
 * port and a SQLite file, with the sweep's search attributes registered. {@link #restart()} keeps the file, so every
 * workflow continues where it was.
 */
final class DevServer implements AutoCloseable {
    private final Path binary;
    private final Path database;
    private final Path log;
    private final int port;
    private Process process;

    private DevServer(Path binary, Path dir) throws IOException {
        this.binary = binary;
        this.database = dir.resolve("dev.sqlite");
        this.log = dir.resolve("temporal.log");
        this.port = freePort();
    }

    /** The pinned CLI installed by scripts/setup.sh; null when it is not there. */
    static Path binary(Path root) {
        Path temporal = root.resolve(".tools/bin/temporal");
        return Files.isExecutable(temporal) ? temporal : null;
    }

    static DevServer start(Path binary, Path dir) throws IOException, InterruptedException {
        DevServer server = new DevServer(binary, dir);
        server.launch();
        return server;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    /** Stops the server (SIGTERM, then SIGKILL after 20 s) and starts it again on the same SQLite file and port. */
    void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private void launch() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary.toString(), "server", "start-dev", "--headless",
                "--db-filename", database.toString(), "--ip", "127.0.0.1", "--port", String.valueOf(port),
                "--log-level", "warn"));
        SearchKeys.TYPES.forEach((name, type) -> command.addAll(List.of("--search-attribute", name + "=" + type)));
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("temporal dev server exited with " + process.exitValue() + "; see " + log);
            }
            Process health = new ProcessBuilder(binary.toString(), "operator", "cluster", "health", "--address", address())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (health.waitFor(20, TimeUnit.SECONDS) && health.exitValue() == 0) {
                return;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("temporal dev server did not become healthy within 90 s; see " + log);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
