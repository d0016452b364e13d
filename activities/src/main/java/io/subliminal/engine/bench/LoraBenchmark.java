package io.subliminal.engine.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.loader.GgufWeights;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.train.LoraAdapters;
import io.subliminal.engine.train.LoraConfig;
import io.subliminal.engine.train.LrSchedule;
import io.subliminal.engine.train.Trainer;
import io.subliminal.engine.train.TrainingConfig;
import io.subliminal.engine.train.TrainingProgress;
import io.subliminal.engine.train.TrainingRow;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.weights.RandomWeights;
import io.subliminal.engine.weights.Weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * LoRA training-step benchmark on the embedded SmolLM2-135M (GGUF weights dequantised to float32), another GGUF, or
 * random weights of a named architecture ({@code --random smollm2-135m|qwen2.5-7b}, see {@link ModelShapes}):
 * micro-batch {@code rows x tokens}, r = 8 on the seven projections of all layers, AdamW, clip 1.0, float32. Prints
 * a summary and writes JSON.
 *
 * <pre>java ... io.subliminal.engine.bench.LoraBenchmark [--model file.gguf | --random NAME] [--rows 8] [--tokens 64]
 *     [--rank 8] [--steps 6] [--prompt 1] [--device cpu|gpu] [--precision FP32|FP16_MIXED] [--out target/bench/lora-step.json]</pre>
 * The first step is a warm-up and is excluded from the statistics.
 */
public final class LoraBenchmark {

    private LoraBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path model = null;
        String random = null;
        int rows = 8;
        int tokens = 64;
        int rank = 8;
        int steps = 6;
        int promptTokens = 1;
        String device = "cpu";
        Precision precision = Precision.FP32;
        Path out = Path.of("target/bench/lora-step.json");
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) {
                throw new IllegalArgumentException("missing value for " + args[i]);
            }
            switch (args[i]) {
                case "--model" -> model = Path.of(v);
                case "--random" -> random = v;
                case "--rows" -> rows = Integer.parseInt(v);
                case "--tokens" -> tokens = Integer.parseInt(v);
                case "--rank" -> rank = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--prompt" -> promptTokens = Integer.parseInt(v);
                case "--device" -> device = v;
                case "--precision" -> precision = Precision.valueOf(v);
                case "--out" -> out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (promptTokens < 1 || promptTokens >= tokens) {
            throw new IllegalArgumentException("--prompt (unlabelled tokens per row) must be in [1, " + tokens
                    + "): " + promptTokens);
        }
        if (steps < 2) {
            throw new IllegalArgumentException("--steps must be at least 2 (one warm-up step)");
        }
        if (model != null && random != null) {
            throw new IllegalArgumentException("--model and --random exclude each other");
        }
        Path gguf = random != null ? null : model != null ? model : EmbeddedModel.smolLm2();
        String modelName = random != null ? "random " + random : gguf.getFileName().toString();
        Device dev = "gpu".equals(device) ? Device.gpu() : Device.cpu();

        long loadStart = System.nanoTime();
        Transformer transformer;
        try (Weights weights = random != null ? new RandomWeights(ModelShapes.named(random), 1)
                : GgufWeights.open(gguf)) {
            transformer = Transformer.load(weights, dev, precision);
        }
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        var config = transformer.config();

        SplittableRandom rnd = new SplittableRandom(1);
        List<TrainingRow> data = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            data.add(TrainingRow.completion(rnd.ints(tokens, 0, config.vocabSize()).toArray(), promptTokens));
        }
        LoraConfig lora = new LoraConfig(rank, rank, 0.0, LoraConfig.PAPER_MODULES, null);
        TrainingConfig training = new TrainingConfig(steps, rows, 1, 2e-4, LrSchedule.Kind.CONSTANT, 0, 1.0, 0.0,
                tokens, 42, 0);
        List<TrainingProgress> log = new ArrayList<>();
        List<Double> stepCpu = new ArrayList<>(); // process CPU seconds of each step (all threads)
        String loadAtStart = loadAverage();
        long trainable;
        double forwardSeconds;
        try (LoraAdapters adapters = LoraAdapters.initialise(transformer, lora, 42, modelName);
             Trainer trainer = new Trainer(transformer, adapters, training, data)) {
            trainable = adapters.parameters().values().stream().mapToLong(p -> p.getShape().size()).sum();
            long[] lastCpu = {processCpuNanos()};
            trainer.train(p -> {
                long cpu = processCpuNanos();
                stepCpu.add((cpu - lastCpu[0]) / 1e9);
                lastCpu[0] = cpu;
                log.add(p);
                System.out.printf("step %d/%d  loss %.4f  %.3f s (fwd %.3f, bwd %.3f, %.3f CPU-s)  %.0f tok/s"
                                + "  loss scale %.0f%s%n",
                        p.step(), p.maxSteps(), p.loss(), p.seconds(), p.forwardSeconds(), p.backwardSeconds(),
                        stepCpu.get(stepCpu.size() - 1), p.tokensPerSecond(), p.lossScale(),
                        p.skipped() ? " (skipped: float16 overflow)" : "");
            }, null);
            forwardSeconds = timeForward(transformer, data, 3);
        } finally {
            transformer.close();
        }

        double[] secs = log.stream().skip(1).mapToDouble(TrainingProgress::seconds).sorted().toArray();
        double median = secs[secs.length / 2];
        double mean = Arrays.stream(secs).average().orElse(Double.NaN);
        long peakRss = peakRssBytes();
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("benchmark", "lora_step");
        json.put("model", modelName);
        json.put("device", dev.toString());
        json.put("precision", precision.name());
        json.put("threads", System.getProperty("ai.djl.pytorch.num_threads", "default"));
        json.put("layers", config.numLayers());
        json.put("rows", rows);
        json.put("tokens_per_row", tokens);
        json.put("unlabelled_prompt_tokens_per_row", promptTokens);
        json.put("rank", rank);
        json.put("target_modules", String.join(",", lora.targetModules()));
        json.put("trainable_parameters", trainable);
        json.put("load_seconds", loadSeconds);
        json.put("measured_steps", secs.length);
        json.put("step_seconds_median", median);
        json.put("step_seconds_mean", mean);
        json.put("step_seconds_min", secs[0]);
        json.put("step_seconds_max", secs[secs.length - 1]);
        json.put("tokens_per_second", rows * tokens / median);
        double cpuMedian = stepCpu.stream().skip(1).mapToDouble(Double::doubleValue).sorted().toArray()[(secs.length) / 2];
        json.put("step_cpu_seconds_median", cpuMedian);
        json.put("tokens_per_cpu_second", rows * tokens / cpuMedian);
        json.put("step_forward_seconds_median", median(log, TrainingProgress::forwardSeconds));
        json.put("step_backward_seconds_median", median(log, TrainingProgress::backwardSeconds));
        json.put("forward_only_seconds", forwardSeconds);
        json.put("peak_rss_bytes", peakRss);
        json.put("load_average_at_start", loadAtStart);
        json.put("load_average_at_end", loadAverage());
        json.put("first_loss", log.get(0).loss());
        json.put("last_loss", log.get(log.size() - 1).loss());
        json.put("skipped_updates", log.stream().filter(TrainingProgress::skipped).count());
        json.put("final_loss_scale", log.get(log.size() - 1).lossScale());
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json);
        System.out.println(text);
        Path abs = out.toAbsolutePath();
        Files.createDirectories(abs.getParent());
        Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, abs, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("wrote " + abs);
    }

    private static double median(List<TrainingProgress> log, java.util.function.ToDoubleFunction<TrainingProgress> f) {
        double[] v = log.stream().skip(1).mapToDouble(f).sorted().toArray();
        return v[v.length / 2];
    }

    /** Median seconds of an inference forward (no autograd) over the same batch. */
    private static double timeForward(Transformer model, List<TrainingRow> data, int repeats) {
        List<int[]> seqs = data.stream().map(TrainingRow::inputIds).toList();
        TokenBatch batch = TokenBatch.rightPadded(seqs, 0);
        double[] t = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long s = System.nanoTime();
            try (NDScope scope = new NDScope()) {
                scope.suppressNotUsedWarning();
                model.forward(batch, null, false).getFloat(0, 0, 0);
            }
            t[i] = (System.nanoTime() - s) / 1e9;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }

    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /** The 1-minute load average (other processes compete for the cores), or "unknown". */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** VmHWM of this process (Linux), or -1. */
    private static long peakRssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
