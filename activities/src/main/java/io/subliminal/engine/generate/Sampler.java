package io.subliminal.engine.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.subliminal.engine.nn.KvCache;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batched generation like HF {@code generate} with a static cache: prompts are left-padded, prefilled once into a
 * preallocated {@link KvCache}, then one token per row per step. Logits processors run in HF's order: repetition
 * penalty (device), temperature, top-k (device {@code topK}), top-p, then Gumbel-max sampling ({@link NucleusSampler})
 * or greedy argmax. A row that emits an EOS id is finished: it is fed the pad id from then on (like HF) and its
 * output ends at the EOS. Generation stops when every row is finished or after max_new_tokens.
 *
 * <p>Randomness: each row draws from its own {@link SplittableRandom} split, in row order, from {@code seed}; the
 * same seed, prompts and batch order give the same tokens. Not thread-safe (one per model and thread).
 */
public final class Sampler {

    private final Transformer model;

    public Sampler(Transformer model) {
        this.model = model;
    }

    public List<Generation> generate(List<int[]> prompts, SamplingParams p) {
        int rows = prompts.size();
        int vocab = model.config().vocabSize();
        TokenBatch prompt = TokenBatch.leftPadded(prompts, p.padTokenId());
        boolean penalise = p.repetitionPenalty() != 1.0;
        int k = p.topK() == 0 ? vocab : Math.min(p.topK(), vocab);
        SplittableRandom master = new SplittableRandom(p.seed());
        SplittableRandom[] rng = new SplittableRandom[rows];
        for (int r = 0; r < rows; r++) {
            rng[r] = master.split();
        }
        List<List<Integer>> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            out.add(new ArrayList<>());
        }
        boolean[] finished = new boolean[rows];
        NDManager manager = model.manager();
        try (NDScope callScope = new NDScope(); KvCache cache = model.newCache(rows, prompt.cols() + p.maxNewTokens())) {
            callScope.suppressNotUsedWarning();
            NDArray penalty = manager.full(new Shape(), (float) p.repetitionPenalty(), DataType.FLOAT32);
            NDArray zero = manager.full(new Shape(), 0f, DataType.FLOAT32);
            NDArray seen = penalise ? initialContext(manager, prompt, vocab) : null;
            TokenBatch next = prompt;
            for (int step = 0; step < p.maxNewTokens(); step++) {
                int[] tokens = new int[rows];
                try (NDScope stepScope = new NDScope()) {
                    stepScope.suppressNotUsedWarning();
                    NDArray logits = model.forward(next, cache, true).reshape(rows, vocab);
                    if (penalise) {
                        logits = RepetitionPenalty.apply(logits, seen, penalty, zero);
                    }
                    if (!p.doSample()) {
                        long[] argmax = logits.argMax(1).toLongArray();
                        for (int r = 0; r < rows; r++) {
                            tokens[r] = (int) argmax[r];
                        }
                    } else {
                        NDList top = logits.topK(k, 1, true, true);
                        float[] values = top.get(0).toFloatArray();
                        long[] ids = top.get(1).toLongArray();
                        for (int r = 0; r < rows; r++) {
                            if (!finished[r]) {
                                float[] row = java.util.Arrays.copyOfRange(values, r * k, (r + 1) * k);
                                int pick = NucleusSampler.sample(row, p.temperature(), p.topP(), rng[r]);
                                tokens[r] = (int) ids[r * k + pick];
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
                    }
                    if (penalise) {
                        NDArray ids = manager.create(tokens).toType(DataType.INT64, false);
                        NDArray updated = seen.logicalOr(ids.oneHot(vocab, DataType.BOOLEAN));
                        NDScope.unregister(updated);
                        seen.close();
                        seen = updated;
                    }
                }
                if (allTrue(finished)) {
                    break;
                }
                next = TokenBatch.column(tokens);
            }
            if (seen != null) {
                seen.close();
            }
        }
        List<Generation> result = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            int[] t = out.get(r).stream().mapToInt(Integer::intValue).toArray();
            result.add(new Generation(t, finished[r]));
        }
        return result;
    }

    /** {@code [B, V]} true for every id in each row, padding included (HF penalises the pad id of padded rows too). */
    private static NDArray initialContext(NDManager manager, TokenBatch prompt, int vocab) {
        boolean[] seen = new boolean[prompt.rows() * vocab];
        for (int r = 0; r < prompt.rows(); r++) {
            for (int c = 0; c < prompt.cols(); c++) {
                seen[r * vocab + (int) prompt.ids()[r * prompt.cols() + c]] = true;
            }
        }
        NDArray fromJava = manager.create(seen, new Shape(prompt.rows(), vocab));
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        NDScope.unregister(copy);
        return copy;
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
