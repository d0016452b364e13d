package io.subliminal.engine.bench;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.subliminal.engine.EmbeddedModel;
import io.subliminal.engine.generate.Sampler;
import io.subliminal.engine.generate.SamplingParams;
import io.subliminal.engine.loader.GgufWeights;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.train.LoraAdapters;
import io.subliminal.engine.train.LoraConfig;
import io.subliminal.engine.train.LrSchedule;
import io.subliminal.engine.train.Trainer;
import io.subliminal.engine.train.TrainingConfig;
import io.subliminal.engine.train.TrainingRow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Where the time goes: runs SmolLM2 decode steps at one batch size, or LoRA steps, under PyTorch's profiler and
 * prints, per native op, how often it ran and its total time (nested ops count in their parents too), plus the
 * number of top-level ops per decode step / training step (each one is a JNI call with an NDArray).
 *
 * <pre>
 * java ... io.subliminal.engine.bench.OpProfile decode|lora [--batch 32] [--steps 8] [--trace file.json]
 * </pre>
 */
public final class OpProfile {

    private OpProfile() {
    }

    public static void main(String[] args) throws IOException {
        String what = args.length > 0 ? args[0] : "decode";
        Map<String, String> opt = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        int batch = Integer.parseInt(opt.getOrDefault("batch", "32"));
        int steps = Integer.parseInt(opt.getOrDefault("steps", "8"));
        Path trace = Path.of(opt.getOrDefault("trace", "target/bench/op-profile-" + what + ".json")).toAbsolutePath();
        Files.createDirectories(trace.getParent());
        SplittableRandom rnd = new SplittableRandom(3);
        int units;
        long wallNanos;
        try (GgufWeights weights = GgufWeights.open(EmbeddedModel.smolLm2());
             Transformer model = Transformer.load(weights, Device.cpu(), Precision.FP32)) {
            int vocab = model.config().vocabSize();
            if ("decode".equals(what)) {
                Sampler sampler = new Sampler(model);
                List<int[]> prompts = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    prompts.add(rnd.ints(32, 3, vocab).toArray());
                }
                sampler.generate(prompts, params(4));
                // profile prefill + steps decode steps; the prefill is one (large) forward
                JniUtils.startProfile(false, false, false);
                long t0 = System.nanoTime();
                sampler.generate(prompts, params(steps + 1));
                wallNanos = System.nanoTime() - t0;
                JniUtils.stopProfile(trace.toString());
                units = steps + 1;
            } else {
                List<TrainingRow> data = new ArrayList<>();
                for (int r = 0; r < batch; r++) {
                    data.add(TrainingRow.completion(rnd.ints(64, 0, vocab).toArray(), 1));
                }
                LoraConfig lora = new LoraConfig(8, 8, 0.0, LoraConfig.PAPER_MODULES, null);
                TrainingConfig training = new TrainingConfig(steps + 1, batch, 1, 2e-4, LrSchedule.Kind.CONSTANT,
                        0, 1.0, 0.0, 64, 42, 0);
                try (LoraAdapters adapters = LoraAdapters.initialise(model, lora, 42, "smollm2");
                     Trainer trainer = new Trainer(model, adapters, training, data)) {
                    trainer.trainUntil(1, p -> { }, null);
                    JniUtils.startProfile(false, false, false);
                    long t0 = System.nanoTime();
                    trainer.trainUntil(steps + 1, p -> { }, null);
                    wallNanos = System.nanoTime() - t0;
                    JniUtils.stopProfile(trace.toString());
                }
                units = steps;
            }
        }
        System.out.printf("%s: %.1f ms wall per unit (profiled)%n", what, wallNanos / 1e6 / units);
        summarise(trace, units, what);
    }

    private static SamplingParams params(int n) {
        return new SamplingParams(true, 1.0, 20, 0.8, 1.05, n, List.of(), 0, 7);
    }

    /** Per op name: calls and total microseconds; also the count of top-level (not nested) ops per unit. */
    static void summarise(Path trace, int units, String what) throws IOException {
        JsonNode root = new ObjectMapper().readTree(trace.toFile());
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<String, long[]> byName = new HashMap<>();
        List<long[]> spans = new ArrayList<>(); // [start, end] of complete events in start order
        for (JsonNode e : events) {
            if (!"X".equals(e.path("ph").asText())) {
                continue;
            }
            long dur = Math.round(e.path("dur").asDouble());
            long ts = Math.round(e.path("ts").asDouble());
            long[] acc = byName.computeIfAbsent(e.path("name").asText(), k -> new long[2]);
            acc[0]++;
            acc[1] += dur;
            spans.add(new long[] {ts, ts + dur});
        }
        spans.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(b[1], a[1]));
        long topLevel = 0;
        long topLevelUs = 0;
        long end = Long.MIN_VALUE;
        for (long[] s : spans) {
            if (s[0] >= end) {
                topLevel++;
                topLevelUs += s[1] - s[0];
                end = s[1];
            }
        }
        System.out.printf("%s: %d top-level ops per unit, %.1f ms of top-level op time per unit (%d units)%n",
                what, topLevel / units, topLevelUs / 1000.0 / units, units);
        byName.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(30)
                .forEach(e -> System.out.printf("  %-40s %7d calls/unit %9.1f ms/unit%n", e.getKey(),
                        e.getValue()[0] / units, e.getValue()[1] / 1000.0 / units));
    }
}
