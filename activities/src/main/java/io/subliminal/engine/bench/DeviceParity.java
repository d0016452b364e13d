package io.subliminal.engine.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.subliminal.engine.generate.Generation;
import io.subliminal.engine.generate.Sampler;
import io.subliminal.engine.generate.SamplingParams;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.train.LoraAdapters;
import io.subliminal.engine.train.LoraConfig;
import io.subliminal.engine.train.LossScaler;
import io.subliminal.engine.train.LrSchedule;
import io.subliminal.engine.train.Trainer;
import io.subliminal.engine.train.TrainingConfig;
import io.subliminal.engine.train.TrainingProgress;
import io.subliminal.engine.train.TrainingRow;
import io.subliminal.engine.weights.RandomWeights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Does the engine compute the same on an accelerator as on the CPU? On random weights of a named shape
 * ({@link ModelShapes}, default smollm2-135m) it compares, against float32 on the CPU: the logits of a left-padded
 * batch at every position in float32 and FP16_MIXED on {@code --device}, greedy generations (float32), and the losses
 * of LoRA training steps (float32 and FP16_MIXED; adapters initialised from the same seed on the host). Prints and
 * writes JSON; exits with status 1 when the device is off by more than the tolerances (float32 logits 1e-3 of their
 * spread, float32 losses 1e-4 relative, FP16_MIXED losses 1e-2 relative, greedy tokens identical).
 *
 * <pre>java ... io.subliminal.engine.bench.DeviceParity [--random smollm2-135m] [--device gpu] [--out parity.json]</pre>
 */
public final class DeviceParity {

    private static final double LOGIT_TOLERANCE = 1e-3;
    private static final double LOSS_TOLERANCE = 1e-4;
    private static final double HALF_LOSS_TOLERANCE = 1e-2;

    private DeviceParity() {
    }

    public static void main(String[] args) throws IOException {
        String shape = "smollm2-135m";
        String deviceName = "gpu";
        Path out = Path.of("device-parity.json");
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + args[i]);
            }
            switch (args[i]) {
                case "--random" -> shape = args[i + 1];
                case "--device" -> deviceName = args[i + 1];
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Device device = "gpu".equals(deviceName) ? Device.gpu() : Device.cpu();
        ModelConfig config = ModelShapes.named(shape);
        RandomWeights weights = new RandomWeights(config, 3);
        SplittableRandom rnd = new SplittableRandom(5);
        List<int[]> rows = new ArrayList<>();
        for (int len : new int[]{12, 20, 7, 16}) {
            rows.add(rnd.ints(len, 3, config.vocabSize()).toArray());
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", "random " + shape);
        report.put("device", device.toString());
        boolean ok = true;

        float[] cpuLogits;
        List<Generation> cpuGreedy;
        try (Transformer cpu = Transformer.load(weights, Device.cpu(), Precision.FP32)) {
            cpuLogits = logits(cpu, rows);
            cpuGreedy = greedy(cpu, rows);
        }
        double spread = std(cpuLogits);
        report.put("cpu_logit_std", spread);
        for (Precision precision : Precision.values()) {
            try (Transformer accel = Transformer.load(weights, device, precision)) {
                float[] l = logits(accel, rows);
                double maxDiff = maxAbsDiff(cpuLogits, l);
                String key = "logits_" + precision.name().toLowerCase();
                report.put(key + "_max_abs_diff", maxDiff);
                report.put(key + "_argmax_agreement", argmaxAgreement(cpuLogits, l, config.vocabSize()));
                System.out.printf("%s logits vs CPU float32: max |diff| %.3g (logit std %.3g), argmax agreement %.4f%n",
                        precision, maxDiff, spread, argmaxAgreement(cpuLogits, l, config.vocabSize()));
                if (precision == Precision.FP32) {
                    ok &= maxDiff <= LOGIT_TOLERANCE * spread;
                    List<Generation> g = greedy(accel, rows);
                    boolean same = true;
                    for (int i = 0; i < g.size(); i++) {
                        same &= Arrays.equals(g.get(i).tokens(), cpuGreedy.get(i).tokens());
                    }
                    report.put("greedy_fp32_identical", same);
                    System.out.println("greedy generation (float32) identical to CPU: " + same);
                    ok &= same;
                }
            }
        }

        double[] cpuLosses = loraLosses(weights, Device.cpu(), config, Precision.FP32);
        double[] accelLosses = loraLosses(weights, device, config, Precision.FP32);
        double worst = 0;
        for (int i = 0; i < cpuLosses.length; i++) {
            worst = Math.max(worst, Math.abs(cpuLosses[i] - accelLosses[i]) / Math.abs(cpuLosses[i]));
        }
        report.put("lora_losses_cpu", cpuLosses);
        report.put("lora_losses_device", accelLosses);
        report.put("lora_loss_max_relative_diff", worst);
        System.out.printf("LoRA losses (float32) CPU %s, %s %s: max relative diff %.3g%n", Arrays.toString(cpuLosses),
                device, Arrays.toString(accelLosses), worst);
        ok &= worst <= LOSS_TOLERANCE;
        // float16 LoRA training (loss scaling) on the device against float32 on the CPU
        double[] halfLosses = loraLosses(weights, device, config, Precision.FP16_MIXED);
        double halfWorst = 0;
        for (int i = 0; i < cpuLosses.length; i++) {
            halfWorst = Math.max(halfWorst, Math.abs(cpuLosses[i] - halfLosses[i]) / Math.abs(cpuLosses[i]));
        }
        report.put("lora_losses_device_fp16_mixed", halfLosses);
        report.put("lora_loss_fp16_mixed_max_relative_diff", halfWorst);
        System.out.printf("LoRA losses (FP16_MIXED) %s %s: max relative diff to CPU float32 %.3g%n", device,
                Arrays.toString(halfLosses), halfWorst);
        ok &= halfWorst <= HALF_LOSS_TOLERANCE;
        report.put("within_tolerance", ok);
        EngineBenchmark.writeAtomically(out,
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        System.out.println((ok ? "PARITY OK" : "PARITY FAILED") + "; wrote " + out.toAbsolutePath());
        if (!ok) {
            System.exit(1);
        }
    }

    private static float[] logits(Transformer model, List<int[]> rows) {
        try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return model.logits(TokenBatch.leftPadded(rows, 0)).toFloatArray();
        }
    }

    private static List<Generation> greedy(Transformer model, List<int[]> rows) {
        return new Sampler(model).generate(rows, SamplingParams.greedy(12, List.of(), 0));
    }

    /**
     * Losses of four LoRA steps (r = 8 on the seven projections, AdamW, constant lr 1e-3) on fixed random rows; in
     * FP16_MIXED the loss scale starts at 2^10 so that no update is skipped and the runs stay comparable.
     */
    private static double[] loraLosses(RandomWeights weights, Device device, ModelConfig config, Precision precision) {
        SplittableRandom rnd = new SplittableRandom(9);
        List<TrainingRow> data = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            data.add(TrainingRow.completion(rnd.ints(24, 0, config.vocabSize()).toArray(), 4));
        }
        LoraConfig lora = new LoraConfig(8, 8, 0.0, LoraConfig.PAPER_MODULES, null);
        TrainingConfig training = new TrainingConfig(4, 4, 1, 1e-3, LrSchedule.Kind.CONSTANT, 0, 1.0, 0.0, 24, 42, 0);
        List<Double> losses = new ArrayList<>();
        try (Transformer model = Transformer.load(weights, device, precision);
             LoraAdapters adapters = LoraAdapters.initialise(model, lora, 42, "parity");
             Trainer trainer = new Trainer(model, adapters, training, data)) {
            if (trainer.lossScaler() != null) {
                trainer.lossScaler().restore(new LossScaler.State(1024, 0, 0));
            }
            trainer.train((TrainingProgress p) -> losses.add(p.loss()), null);
        }
        return losses.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    private static double std(float[] v) {
        double sum = 0;
        double sq = 0;
        for (float x : v) {
            sum += x;
            sq += (double) x * x;
        }
        double mean = sum / v.length;
        return Math.sqrt(Math.max(0, sq / v.length - mean * mean));
    }

    /** Fraction of positions whose arg max over the vocabulary agrees. */
    private static double argmaxAgreement(float[] a, float[] b, int vocab) {
        int positions = a.length / vocab;
        int same = 0;
        for (int p = 0; p < positions; p++) {
            same += argmax(a, p * vocab, vocab) == argmax(b, p * vocab, vocab) ? 1 : 0;
        }
        return (double) same / positions;
    }

    private static int argmax(float[] v, int from, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (v[from + i] > v[from + best]) {
                best = i;
            }
        }
        return best;
    }
}
