import ai.djl.engine.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Docker build step: makes DJL fetch the libtorch build named by PYTORCH_VERSION/PYTORCH_FLAVOR into DJL_CACHE_DIR
 * while the build can reach the network, so workers start offline. Loading may fail at build time (no GPU driver
 * inside docker build); the step then only checks that the libraries are in the cache.
 */
public final class NativeWarmup {

    public static void main(String[] args) throws IOException {
        String flavor = System.getenv().getOrDefault("PYTORCH_FLAVOR", "cpu");
        try {
            Engine engine = Engine.getEngine("PyTorch");
            System.out.println("PyTorch " + engine.getVersion() + " (" + flavor + ") loaded; GPUs visible now: "
                + engine.getGpuCount());
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            System.out.println("libtorch not loadable at build time (" + e + "); checking the cache only");
        }
        Path cache = Path.of(System.getenv().getOrDefault("DJL_CACHE_DIR",
            System.getProperty("user.home") + "/.djl.ai"), "pytorch");
        String lib = flavor.startsWith("cu") ? "libtorch_cuda.so" : "libtorch_cpu.so";
        try (Stream<Path> files = Files.exists(cache) ? Files.walk(cache) : Stream.empty()) {
            Path found = files.filter(p -> p.getFileName().toString().equals(lib)
                    && p.getParent().getFileName().toString().contains(flavor))
                .findFirst().orElse(null);
            if (found == null) {
                System.err.println("no " + lib + " for flavor " + flavor + " under " + cache);
                System.exit(1);
            }
            System.out.println("libtorch " + flavor + " cached at " + found.getParent());
        }
    }
}
