package io.subliminal.engine.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.generate.GenerationStats;
import io.subliminal.engine.generate.Sampler;
import io.subliminal.engine.generate.Scorer;
import io.subliminal.engine.generate.SamplingParams;
import io.subliminal.engine.loader.GgufWeights;
import io.subliminal.engine.loader.SafetensorsWeights;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.weights.RandomWeights;
import io.subliminal.engine.weights.Weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Engine throughput on SmolLM2-135M-Instruct (the embedded GGUF, dequantised to float32), or on random weights of a
 * named architecture ({@code --random smollm2-135m|qwen2.5-7b}, see {@link ModelShapes}), or a Hugging Face checkpoint
 * folder ({@code --checkpoint DIR}: config.json and safetensors; no tokenizer needed): full forwards with logits
 * at every position and the {@link Scorer} of divergence marking (log-probs and argmax of the last
 * {@code --completion} tokens of each row, read back to the host) on the same shapes ({@code --forward
 * ROWSxTOKENS,...}), prefill, and decode with Qwen-style
 * sampling (top-k 20, top-p 0.8, repetition penalty 1.05) at several batch sizes; prints a table and writes JSON.
 *
 * <pre>
 * java ... io.subliminal.engine.bench.EngineBenchmark [--out engine-benchmark.json] [--batches 1,32,256]
 *          [--prompt 32] [--new 32] [--repeats 3] [--device cpu|gpu] [--precision FP32|FP16_MIXED]
 *          [--random smollm2-135m|qwen2.5-7b | --checkpoint DIR] [--forward 16x64] [--completion 48]
 * </pre>
 * On the CPU, batches of 256 or more decode at most 16 new tokens.
 */
public final class EngineBenchmark {

    private EngineBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> opt = options(args);
        Path out = Path.of(opt.getOrDefault("out", "engine-benchmark.json"));
        int promptLen = Integer.parseInt(opt.getOrDefault("prompt", "32"));
        int newTokens = Integer.parseInt(opt.getOrDefault("new", "32"));
        int repeats = Integer.parseInt(opt.getOrDefault("repeats", "3"));
        int completionLen = Integer.parseInt(opt.getOrDefault("completion", "48"));
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1: " + repeats);
        }
        Device device = "gpu".equals(opt.get("device")) ? Device.gpu() : Device.cpu();
        Precision precision = Precision.valueOf(opt.getOrDefault("precision",
                device.isGpu() ? "FP16_MIXED" : "FP32"));
        List<Integer> batches = new ArrayList<>();
        for (String b : opt.getOrDefault("batches", "1,32,256").split(",")) {
            batches.add(Integer.parseInt(b.trim()));
        }

        Map<String, Object> report = new LinkedHashMap<>();
        String random = opt.get("random");
        List<int[]> forwardShapes = new ArrayList<>();
        for (String f : opt.getOrDefault("forward", "16x64").split(",")) {
            String[] rt = f.trim().split("x");
            if (rt.length != 2) {
                throw new IllegalArgumentException("--forward takes ROWSxTOKENS[,ROWSxTOKENS...]: '" + f + "'");
            }
            forwardShapes.add(new int[]{Integer.parseInt(rt[0]), Integer.parseInt(rt[1])});
        }
        String checkpoint = opt.get("checkpoint");
        if (random != null && checkpoint != null) {
            throw new IllegalArgumentException("--random and --checkpoint exclude each other");
        }
        report.put("model", random != null ? "random " + random
                : checkpoint != null ? checkpoint : EmbeddedModel.FILE_NAME);
        report.put("device", device.toString());
        report.put("precision", precision.name());
        report.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("load_average_at_start", loadAverage());
        long loadStart = System.nanoTime();
        try (Weights weights = random != null ? new RandomWeights(ModelShapes.named(random), 1)
                : checkpoint != null ? SafetensorsWeights.open(Path.of(checkpoint))
                : GgufWeights.open(EmbeddedModel.smolLm2());
             Transformer model = Transformer.load(weights, device, precision)) {
            report.put("load_seconds", round((System.nanoTime() - loadStart) / 1e9));
            report.put("parameters", model.parameters().values().stream().mapToLong(a -> a.getShape().size()).sum());
            int vocab = model.config().vocabSize();
            SplittableRandom rnd = new SplittableRandom(1);

            // full forward, logits at every position (the scoring / training shape)
            for (int[] shape : forwardShapes) {
                int rowCount = shape[0];
                int len = shape[1];
                List<int[]> rows = prompts(rnd, rowCount, len, vocab);
                forward(model, rows); // warm-up
                long t0 = System.nanoTime();
                long c0 = cpuNanos();
                int reps = 3;
                for (int i = 0; i < reps; i++) {
                    forward(model, rows);
                }
                double fwd = (double) reps * rowCount * len / ((System.nanoTime() - t0) / 1e9);
                double fwdCpu = (double) reps * rowCount * len / ((cpuNanos() - c0) / 1e9);
                String key = "forward_" + rowCount + "x" + len;
                report.put(key + "_tokens_per_s", round(fwd));
                report.put(key + "_tokens_per_cpu_s", round(fwdCpu));
                System.out.printf("forward %dx%d (all logits): %.0f tok/s (%.0f tok per CPU-s)%n", rowCount, len, fwd,
                        fwdCpu);

                // the divergence-marking workload: the Scorer's log-probs and argmax of the completion positions
                int completion = Math.min(completionLen, len - 1);
                int[] starts = new int[rowCount];
                java.util.Arrays.fill(starts, len - completion);
                Scorer scorer = new Scorer(model);
                scorer.score(rows, starts, 0); // warm-up
                long s0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    scorer.score(rows, starts, 0);
                }
                double scored = (double) reps * rowCount * len / ((System.nanoTime() - s0) / 1e9);
                report.put("score_" + rowCount + "x" + len + "_completion_" + completion + "_tokens_per_s", round(scored));
                System.out.printf("score %dx%d (Scorer, completion %d): %.0f tok/s%n", rowCount, len, completion,
                        scored);
            }

            Sampler sampler = new Sampler(model);
            List<Map<String, Object>> decode = new ArrayList<>();
            for (int b : batches) {
                List<int[]> prompts = prompts(rnd, b, promptLen, vocab);
                int n = b >= 256 && !device.isGpu() ? Math.min(newTokens, 16) : newTokens;
                SamplingParams p = new SamplingParams(true, 1.0, 20, 0.8, 1.05, n, List.of(), 0, 7);
                sampler.generate(prompts.subList(0, Math.min(b, 4)), new SamplingParams(true, 1.0, 20, 0.8, 1.05, 4,
                        List.of(), 0, 7)); // warm-up
                double[] prefill = new double[repeats];
                double[] wall = new double[repeats];
                double[] cpu = new double[repeats];
                double[] msPerStep = new double[repeats];
                for (int i = 0; i < repeats; i++) {
                    sampler.generate(prompts, p);
                    GenerationStats s = sampler.lastStats();
                    prefill[i] = s.prefillTokensPerSecond();
                    wall[i] = s.decodeTokensPerSecond();
                    cpu[i] = s.decodeTokensPerCpuSecond();
                    msPerStep[i] = s.decodeNanos() / 1e6 / Math.max(1, s.steps() - 1);
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("batch", b);
                row.put("prompt_tokens", promptLen);
                row.put("new_tokens", n);
                row.put("repeats", repeats);
                row.put("prefill_tokens_per_s", round(median(prefill)));
                row.put("decode_tokens_per_s", round(median(wall)));
                row.put("decode_tokens_per_s_runs", java.util.Arrays.stream(wall).map(EngineBenchmark::round).toArray());
                row.put("decode_tokens_per_cpu_s", round(median(cpu)));
                row.put("decode_ms_per_step", round(median(msPerStep)));
                row.put("load_average", loadAverage());
                decode.add(row);
                System.out.printf("batch %3d: prefill %.0f tok/s, decode %.1f new tok/s (%.1f ms/step; %.1f new tok per CPU-s; "
                                + "median of %d; load %.1f)%n", b, median(prefill), median(wall), median(msPerStep),
                        median(cpu), repeats, loadAverage());
            }
            report.put("generation", decode);
        }
        report.put("load_average_at_end", loadAverage());
        long peakKb = peakRssKb();
        report.put("peak_rss_mb", peakKb / 1024);
        System.out.printf("peak RSS: %d MB%n", peakKb / 1024);
        writeAtomically(out, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /**
     * One forward with logits at every position, waited for by reading back their maximum: scoring reduces the
     * logits on the device, and a host copy of all of them (2.9 GB at 104 x 140 x 49152) would time the transfer.
     */
    private static void forward(Transformer model, List<int[]> rows) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            model.logits(TokenBatch.leftPadded(rows, 0)).max().toFloatArray();
        }
    }

    private static double median(double[] v) {
        double[] sorted = v.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long cpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    private static List<int[]> prompts(SplittableRandom rnd, int rows, int len, int vocab) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            out.add(rnd.ints(len, 3, vocab).toArray());
        }
        return out;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** VmHWM of /proc/self/status (Linux), or -1. */
    static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    static void writeAtomically(Path out, String text) throws IOException {
        Path abs = out.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opt = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got '" + args[i] + "'");
            }
            opt.put(args[i].substring(2), args[++i]);
        }
        return opt;
    }
}
