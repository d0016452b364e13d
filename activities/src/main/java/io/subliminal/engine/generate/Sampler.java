package io.subliminal.engine.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import io.subliminal.engine.nn.KvCache;
import io.subliminal.engine.nn.NoGrad;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched generation like HF {@code generate} with a static cache: prompts are left-padded, prefilled once into a
 * preallocated {@link KvCache}, then one token per row per step. The device returns each row's largest logits
 * ({@code topK}); {@link CandidateChooser} applies HF's processors to them in HF's order (repetition penalty over the
 * row's whole context, padding included; temperature; top-k; top-p; Gumbel-max sampling) or greedy argmax. A row that emits an EOS id is finished: it is fed the pad id from then on (like HF) and its
 * output ends at the EOS. Generation stops when every row is finished or after max_new_tokens.
 *
 * <p>Randomness: each row draws from its own {@link SplittableRandom} split, in row order, from {@code seed}; the
 * same seed, prompts and batch order give the same tokens. Not thread-safe (one per model and thread).
 */
public final class Sampler {

    private final Transformer model;
    private final int readoutLayer;
    private GenerationStats lastStats;

    public Sampler(Transformer model) {
        this(model, model.config().numLayers() - 1);
    }

    /**
     * A sampler whose logits are read out after decoder layer {@code readoutLayer} (0-based; the logit lens of
     * {@link Transformer#forward(TokenBatch, KvCache, boolean, int)}); the last layer is ordinary generation.
     */
    public Sampler(Transformer model, int readoutLayer) {
        if (readoutLayer < 0 || readoutLayer >= model.config().numLayers()) {
            throw new IllegalArgumentException("readout layer " + readoutLayer + " outside the model's decoder layers [0, "
                    + model.config().numLayers() + ")");
        }
        this.model = model;
        this.readoutLayer = readoutLayer;
    }

    /** Timings of the last {@link #generate} call, or null before the first. */
    public GenerationStats lastStats() {
        return lastStats;
    }

    public List<Generation> generate(List<int[]> prompts, SamplingParams p) {
        int rows = prompts.size();
        int vocab = model.config().vocabSize();
        TokenBatch prompt = TokenBatch.leftPadded(prompts, p.padTokenId());
        boolean greedyOnly = !p.doSample() && p.repetitionPenalty() == 1.0;
        SplittableRandom master = new SplittableRandom(p.seed());
        SplittableRandom[] rng = new SplittableRandom[rows];
        boolean[][] context = new boolean[rows][];
        int[] contextSize = new int[rows];
        List<List<Integer>> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            rng[r] = master.split();
            out.add(new ArrayList<>());
            if (!greedyOnly) {
                context[r] = new boolean[vocab];
                for (int c = 0; c < prompt.cols(); c++) {
                    contextSize[r] += see(context[r], (int) prompt.ids()[r * prompt.cols() + c]);
                }
            }
        }
        boolean[] finished = new boolean[rows];
        long start = System.nanoTime();
        long startCpu = processCpuNanos();
        long prefillEnd = start;
        long prefillEndCpu = startCpu;
        int steps = 0;
        try (NoGrad noGrad = NoGrad.enter(); NDScope callScope = new NDScope();
             KvCache cache = model.newCache(rows, prompt.cols() + p.maxNewTokens())) {
            callScope.suppressNotUsedWarning();
            TokenBatch next = prompt;
            for (int step = 0; step < p.maxNewTokens(); step++) {
                int[] tokens = new int[rows];
                try (NDScope stepScope = new NDScope()) {
                    stepScope.suppressNotUsedWarning();
                    NDArray logits = model.forward(next, cache, true, readoutLayer).reshape(rows, vocab);
                    if (greedyOnly) {
                        long[] argmax = logits.argMax(1).toLongArray();
                        for (int r = 0; r < rows; r++) {
                            tokens[r] = (int) argmax[r];
                        }
                    } else {
                        int k = 0;
                        for (int r = 0; r < rows; r++) {
                            k = Math.max(k, CandidateChooser.candidatesNeeded(p, contextSize[r], vocab));
                        }
                        NDList top = logits.topK(k, 1, true, true);
                        float[] values = top.get(0).toFloatArray();
                        long[] ids = top.get(1).toLongArray();
                        for (int r = 0; r < rows; r++) {
                            if (!finished[r]) {
                                tokens[r] = CandidateChooser.choose(Arrays.copyOfRange(values, r * k, (r + 1) * k),
                                        Arrays.copyOfRange(ids, r * k, (r + 1) * k), context[r], p, rng[r]);
                            }
                        }
                    }
                }
                for (int r = 0; r < rows; r++) {
                    if (finished[r]) {
                        tokens[r] = p.padTokenId();
                    } else {
                        out.get(r).add(tokens[r]);
                        finished[r] = p.eosIds().contains(tokens[r]);
                    }
                    if (!greedyOnly) {
                        contextSize[r] += see(context[r], tokens[r]);
                    }
                }
                steps++;
                if (step == 0) {
                    prefillEnd = System.nanoTime();
                    prefillEndCpu = processCpuNanos();
                }
                if (allTrue(finished)) {
                    break;
                }
                next = TokenBatch.column(tokens);
            }
        }
        lastStats = new GenerationStats(rows, prompt.cols(), steps, prefillEnd - start, System.nanoTime() - prefillEnd,
                prefillEndCpu - startCpu, processCpuNanos() - prefillEndCpu);
        List<Generation> result = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int[] t = out.get(r).stream().mapToInt(Integer::intValue).toArray();
            result.add(new Generation(t, finished[r]));
        }
        return result;
    }

    /** Marks {@code id} as in the context; 1 when it was new. */
    private static int see(boolean[] context, int id) {
        if (context[id]) {
            return 0;
        }
        context[id] = true;
        return 1;
    }

    /** CPU time of the whole process (all threads), or -1 where the JVM does not report it. */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private static boolean allTrue(boolean[] b) {
        for (boolean x : b) {
            if (!x) {
                return false;
            }
        }
        return true;
    }
}
