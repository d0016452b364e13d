package io.subliminal.store;

import io.subliminal.workflows.payload.ArtifactRef;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Throughput of the artifact stores on this machine: put (file), get (verified copy) and verify of an N MiB file,
 * for the local store and for the S3 store against a local S3Proxy. Prints a table and writes
 * {@code runs/bench/store.json}. Arguments: size in MiB (default 256), part size in MiB (default 32), parts sent in
 * parallel (default 4).
 */
public final class StoreBenchmark {

    public static void main(String[] args) throws Exception {
        int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int partMib = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Path work = Files.createTempDirectory("store-bench");
        Path source = work.resolve("source.bin");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(1);
        try (OutputStream out = Files.newOutputStream(source)) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("size_mib", mib);
        results.put("part_mib", partMib);
        results.put("upload_concurrency", concurrency);
        try (LocalArtifactStore local = new LocalArtifactStore(work.resolve("local"), "bench", Clock.systemUTC())) {
            results.put("local", measure(local, source, work.resolve("local-out.bin"), mib));
        }
        try (S3TestServer server = S3TestServer.start(work.resolve("s3"))) {
            S3Settings settings = server.settings().withPartSize(partMib << 20);
            try (S3Client client = server.client(settings)) {
                client.createBucket(b -> b.bucket("bench-bucket"));
                S3ArtifactStore s3 = new S3ArtifactStore(client, false, S3Location.parse("s3://bench-bucket/b/"),
                    settings.partSizeBytes(), concurrency, work.resolve("spool"), "bench", Clock.systemUTC());
                results.put("s3proxy", measure(s3, source, work.resolve("s3-out.bin"), mib));
            }
        }
        StringBuilder json = new StringBuilder("{");
        results.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append('"').append(k).append("\": ")
            .append(v instanceof Map<?, ?> m ? toJson(m) : v));
        json.append("}\n");
        Path out = Path.of(System.getProperty("subliminal.root", "."), "runs", "bench", "store.json");
        Files.createDirectories(out.getParent());
        Files.writeString(out, json, StandardCharsets.UTF_8);
        System.out.print(json);
        System.out.println("written to " + out);
        try (java.util.stream.Stream<Path> files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Map<String, Object> measure(ArtifactStore store, Path source, Path target, int mib)
        throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        ArtifactRef ref = store.put(new ArtifactKey("bench/source.bin"), source, new Provenance("bench", "bench"));
        long t1 = System.nanoTime();
        store.get(ref, target);
        long t2 = System.nanoTime();
        store.verify(new ArtifactKey("bench/source.bin"));
        long t3 = System.nanoTime();
        r.put("put_mib_s", round(mib / ((t1 - t0) / 1e9)));
        r.put("get_mib_s", round(mib / ((t2 - t1) / 1e9)));
        r.put("verify_mib_s", round(mib / ((t3 - t2) / 1e9)));
        System.out.printf("%-40s put %8.1f MiB/s   get %8.1f MiB/s   verify %8.1f MiB/s%n", store.root(),
            r.get("put_mib_s"), r.get("get_mib_s"), r.get("verify_mib_s"));
        Files.delete(target);
        try (InputStream ignored = store.open(ref)) {
            // reachable
        }
        return r;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    private static String toJson(Map<?, ?> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append('"').append(k).append("\": ").append(v));
        return sb.append('}').toString();
    }
}
