package io.subliminal.engine.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.subliminal.engine.ModelBundle;
import io.subliminal.engine.generate.Generation;
import io.subliminal.engine.generate.Sampler;
import io.subliminal.engine.generate.SamplingParams;
import io.subliminal.engine.loader.ModelLoader;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import io.subliminal.engine.tokenizer.ChatMessage;
import io.subliminal.engine.tokenizer.TextTokenizer;
import io.subliminal.engine.train.LoraAdapters;
import io.subliminal.engine.train.LoraConfig;
import io.subliminal.engine.train.LossScaler;
import io.subliminal.engine.train.LrSchedule;
import io.subliminal.engine.train.Trainer;
import io.subliminal.engine.train.TrainingConfig;
import io.subliminal.engine.train.TrainingProgress;
import io.subliminal.engine.train.TrainingRow;
import io.subliminal.engine.weights.RandomWeights;
import io.subliminal.engine.weights.Weights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Does the engine compute the same on an accelerator as on the CPU? It compares, against float32 on the CPU: the
 * logits of a left-padded batch at every real (non-padding) position in float32 and FP16_MIXED on {@code --device}, greedy generations
 * (float32), and the losses of LoRA training steps (float32 and FP16_MIXED; adapters initialised from the same seed on
 * the host, on fixed random token rows of the model's vocabulary). Prints and writes JSON; exits with status 1 when
 * the device is off by more than the tolerances (float32 logits 1e-3 of their spread, float32 losses 1e-4 relative,
 * FP16_MIXED losses 1e-2 relative, greedy float32 tokens identical).
 *
 * <p>Weights: random ones of a named shape ({@link ModelShapes}, default smollm2-135m; rows of random token ids, 12
 * greedy tokens), or with {@code --gguf FILE} a real checkpoint opened by {@link ModelLoader} (weights, tokenizer, chat
 * template, eos/pad ids of the file). The GGUF rows are fixed chat prompts ({@link #CHAT_PROMPTS}) rendered by the
 * model's own chat template with the generation prompt and tokenized by its tokenizer; greedy generation runs up to
 * {@value #GGUF_NEW_TOKENS} new tokens and stops at the eos ids. The decoded greedy answers of CPU float32, device
 * float32 and device FP16_MIXED go into the report, and the CPU's answer to the first prompt (the capital of France)
 * must mention "Paris" (else the run fails and says so).
 *
 * <pre>java ... io.subliminal.engine.bench.DeviceParity [--random smollm2-135m | --gguf FILE] [--device gpu]
 *     [--out parity.json]</pre>
 */
public final class DeviceParity {

    private static final double LOGIT_TOLERANCE = 1e-3;
    private static final double LOSS_TOLERANCE = 1e-4;
    private static final double HALF_LOSS_TOLERANCE = 1e-2;
    /** The GGUF mode's prompts; the first one's CPU answer must mention {@link #FRANCE_ANSWER}. */
    static final List<String> CHAT_PROMPTS = List.of("What is the capital of France?", "Name a primary colour.",
            "Count from 1 to 5.");
    private static final String FRANCE_ANSWER = "Paris";
    static final int GGUF_NEW_TOKENS = 24;
    private static final int RANDOM_NEW_TOKENS = 12;

    private DeviceParity() {
    }

    /**
     * What is compared: the weights, the token rows (left-padded with {@code padId}), the greedy decoding, and for a
     * real checkpoint its tokenizer (null for random weights).
     */
    private record Workload(String model, Weights weights, List<int[]> rows, int padId, SamplingParams greedy,
                            TextTokenizer tokenizer) {
    }

    public static void main(String[] args) throws IOException {
        String shape = null;
        Path gguf = null;
        String deviceName = "gpu";
        Path out = Path.of("device-parity.json");
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + args[i]);
            }
            switch (args[i]) {
                case "--random" -> shape = args[i + 1];
                case "--gguf" -> gguf = Path.of(args[i + 1]);
                case "--device" -> deviceName = args[i + 1];
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (shape != null && gguf != null) {
            throw new IllegalArgumentException("--random and --gguf exclude each other");
        }
        Device device = "gpu".equals(deviceName) ? Device.gpu() : Device.cpu();
        boolean ok;
        if (gguf == null) {
            ok = run(randomWorkload(shape == null ? "smollm2-135m" : shape), device, out);
        } else {
            try (ModelBundle bundle = ModelLoader.load(gguf)) {
                ok = run(ggufWorkload(bundle), device, out);
            }
        }
        if (!ok) {
            System.exit(1);
        }
    }

    private static Workload randomWorkload(String shape) {
        ModelConfig config = ModelShapes.named(shape);
        RandomWeights weights = new RandomWeights(config, 3);
        SplittableRandom rnd = new SplittableRandom(5);
        List<int[]> rows = new ArrayList<>();
        for (int len : new int[]{12, 20, 7, 16}) {
            rows.add(rnd.ints(len, 3, config.vocabSize()).toArray());
        }
        return new Workload("random " + shape, weights, rows, 0, SamplingParams.greedy(RANDOM_NEW_TOKENS, List.of(), 0),
                null);
    }

    /** The chat prompts through the checkpoint's template and tokenizer; greedy with its eos ids and pad id. */
    private static Workload ggufWorkload(ModelBundle bundle) {
        List<int[]> rows = new ArrayList<>();
        for (String prompt : CHAT_PROMPTS) {
            String text = bundle.chatTemplate().render(List.of(ChatMessage.user(prompt)), true);
            rows.add(bundle.tokenizer().encode(text, true));
        }
        List<Integer> eos = new ArrayList<>(bundle.generation().eosTokenIds());
        int tokenizerEos = bundle.tokenizer().eosTokenId();
        if (tokenizerEos >= 0 && !eos.contains(tokenizerEos)) {
            eos.add(tokenizerEos);
        }
        if (eos.isEmpty()) {
            throw new IllegalArgumentException(bundle.id() + " defines no eos token");
        }
        Integer pad = bundle.generation().padTokenId();
        int padId = pad != null ? pad : eos.get(0);
        return new Workload(bundle.id(), bundle.weights(), rows, padId, SamplingParams.greedy(GGUF_NEW_TOKENS, eos, padId),
                bundle.tokenizer());
    }

    /** Runs every comparison, prints it, writes the report to {@code out}; true when every check passed. */
    private static boolean run(Workload w, Device device, Path out) throws IOException {
        ModelConfig config = w.weights().config();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", w.model());
        report.put("device", device.toString());
        if (w.tokenizer() != null) {
            report.put("prompts", CHAT_PROMPTS);
            report.put("prompt_tokens", w.rows().stream().mapToInt(r -> r.length).toArray());
            report.put("eos_ids", w.greedy().eosIds());
            report.put("pad_id", w.padId());
        }
        boolean ok = true;

        float[] cpuLogits;
        List<Generation> cpuGreedy;
        try (Transformer cpu = Transformer.load(w.weights(), Device.cpu(), Precision.FP32)) {
            cpuLogits = logits(cpu, w.rows(), w.padId());
            cpuGreedy = greedy(cpu, w);
        }
        double spread = std(cpuLogits);
        report.put("cpu_logit_std", spread);
        Map<String, List<String>> answers = new LinkedHashMap<>();
        if (w.tokenizer() != null) {
            answers.put("cpu_fp32", texts(w.tokenizer(), cpuGreedy));
        }
        for (Precision precision : Precision.values()) {
            try (Transformer accel = Transformer.load(w.weights(), device, precision)) {
                float[] l = logits(accel, w.rows(), w.padId());
                double maxDiff = maxAbsDiff(cpuLogits, l);
                String key = "logits_" + precision.name().toLowerCase();
                report.put(key + "_max_abs_diff", maxDiff);
                report.put(key + "_argmax_agreement", argmaxAgreement(cpuLogits, l, config.vocabSize()));
                System.out.printf("%s logits vs CPU float32: max |diff| %.3g (logit std %.3g), argmax agreement %.4f%n",
                        precision, maxDiff, spread, argmaxAgreement(cpuLogits, l, config.vocabSize()));
                if (precision == Precision.FP32) {
                    ok &= maxDiff <= LOGIT_TOLERANCE * spread;
                }
                if (precision == Precision.FP32 || w.tokenizer() != null) {
                    List<Generation> g = greedy(accel, w);
                    boolean same = true;
                    for (int i = 0; i < g.size(); i++) {
                        same &= Arrays.equals(g.get(i).tokens(), cpuGreedy.get(i).tokens());
                    }
                    if (precision == Precision.FP32) {
                        report.put("greedy_fp32_identical", same);
                        System.out.println("greedy generation (float32) identical to CPU: " + same);
                        ok &= same;
                    } else {
                        // reported, not required: half precision may flip a near tie
                        report.put("greedy_" + precision.name().toLowerCase() + "_identical", same);
                        System.out.println("greedy generation (" + precision + ") identical to CPU float32: " + same);
                    }
                    if (w.tokenizer() != null) {
                        answers.put("device_" + precision.name().toLowerCase(), texts(w.tokenizer(), g));
                    }
                }
            }
        }
        boolean answerOk = true;
        if (w.tokenizer() != null) {
            report.put("greedy_answers", answers);
            answers.forEach((run, texts) -> {
                for (int i = 0; i < texts.size(); i++) {
                    System.out.printf("%s  %-32s -> %s%n", run, CHAT_PROMPTS.get(i), texts.get(i).replace("\n", "\\n"));
                }
            });
            answerOk = answers.get("cpu_fp32").get(0).contains(FRANCE_ANSWER);
            report.put("cpu_france_answer_mentions_paris", answerOk);
            System.out.println("CPU float32 answer to '" + CHAT_PROMPTS.get(0) + "' mentions " + FRANCE_ANSWER + ": "
                    + answerOk);
        }

        double[] cpuLosses = loraLosses(w.weights(), Device.cpu(), config, Precision.FP32);
        double[] accelLosses = loraLosses(w.weights(), device, config, Precision.FP32);
        double worst = maxRelativeDiff(cpuLosses, accelLosses);
        report.put("lora_losses_cpu", cpuLosses);
        report.put("lora_losses_device", accelLosses);
        report.put("lora_loss_max_relative_diff", worst);
        System.out.printf("LoRA losses (float32) CPU %s, %s %s: max relative diff %.3g%n", Arrays.toString(cpuLosses),
                device, Arrays.toString(accelLosses), worst);
        ok &= worst <= LOSS_TOLERANCE;
        // float16 LoRA training (loss scaling) on the device against float32 on the CPU
        double[] halfLosses = loraLosses(w.weights(), device, config, Precision.FP16_MIXED);
        double halfWorst = maxRelativeDiff(cpuLosses, halfLosses);
        report.put("lora_losses_device_fp16_mixed", halfLosses);
        report.put("lora_loss_fp16_mixed_max_relative_diff", halfWorst);
        System.out.printf("LoRA losses (FP16_MIXED) %s %s: max relative diff to CPU float32 %.3g%n", device,
                Arrays.toString(halfLosses), halfWorst);
        ok &= halfWorst <= HALF_LOSS_TOLERANCE;
        report.put("within_tolerance", ok);
        EngineBenchmark.writeAtomically(out,
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        System.out.println((ok ? "PARITY OK" : "PARITY FAILED")
                + (answerOk ? "" : "; the CPU's answer to '" + CHAT_PROMPTS.get(0) + "' does not mention " + FRANCE_ANSWER)
                + "; wrote " + out.toAbsolutePath());
        return ok && answerOk;
    }

    /** The generated tokens as text, special tokens (the final eos) dropped. */
    private static List<String> texts(TextTokenizer tokenizer, List<Generation> generations) {
        List<String> out = new ArrayList<>();
        for (Generation g : generations) {
            out.add(tokenizer.decode(g.tokens(), true));
        }
        return out;
    }

    /** Logits of the left-padded rows at their real tokens only (a padding position's logits mean nothing). */
    private static float[] logits(Transformer model, List<int[]> rows, int padId) {
        try (NoGrad noGrad = NoGrad.enter(); NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            TokenBatch batch = TokenBatch.leftPadded(rows, padId);
            float[] all = model.logits(batch).toFloatArray();
            int vocab = model.config().vocabSize();
            int[] mask = batch.mask();
            float[] real = new float[(int) Arrays.stream(mask).filter(v -> v == 1).count() * vocab];
            int at = 0;
            for (int p = 0; p < mask.length; p++) {
                if (mask[p] == 1) {
                    System.arraycopy(all, p * vocab, real, at, vocab);
                    at += vocab;
                }
            }
            return real;
        }
    }

    private static List<Generation> greedy(Transformer model, Workload w) {
        return new Sampler(model).generate(w.rows(), w.greedy());
    }

    /**
     * Losses of four LoRA steps (r = 8 on the seven projections, AdamW, constant lr 1e-3) on fixed random rows; in
     * FP16_MIXED the loss scale starts at 2^10 so that no update is skipped and the runs stay comparable.
     */
    private static double[] loraLosses(Weights weights, Device device, ModelConfig config, Precision precision) {
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
                trainer.lossScaler().restore(new LossScaler.State(1024, 0, 0, 0));
            }
            trainer.train((TrainingProgress p) -> losses.add(p.loss()), null);
        }
        return losses.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** max over i of |expected[i] - actual[i]| / |expected[i]|. */
    private static double maxRelativeDiff(double[] expected, double[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / Math.abs(expected[i]));
        }
        return worst;
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
