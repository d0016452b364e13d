package io.subliminal.engine.generate;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import io.subliminal.engine.GenerationDefaults;
import io.subliminal.engine.loader.SafetensorsWeights;
import io.subliminal.engine.model.ModelConfig;
import io.subliminal.engine.nn.HfFixture;
import io.subliminal.engine.nn.Precision;
import io.subliminal.engine.nn.TinyModels;
import io.subliminal.engine.nn.TokenBatch;
import io.subliminal.engine.nn.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {

    static List<String> families() {
        return TinyModels.FAMILIES;
    }

    /** Our greedy decode with the KV cache reproduces transformers' generate ids exactly (plain and left-padded). */
    @ParameterizedTest
    @MethodSource("families")
    void greedyMatchesHfGenerate(String family) {
        HfFixture f = HfFixture.load(family);
        try (SafetensorsWeights w = SafetensorsWeights.open(f.dir(), f.config());
             Transformer model = Transformer.load(w, Device.cpu(), Precision.FP32)) {
            Sampler sampler = new Sampler(model);
            for (String input : List.of("plain", "padded")) {
                List<int[]> prompts = unpad(f.batch(input));
                List<int[]> hf = f.greedy(input);
                List<Generation> ours = sampler.generate(prompts, SamplingParams.greedy(hf.get(0).length, List.of(2), 0));
                for (int r = 0; r < prompts.size(); r++) {
                    assertArrayEquals(untilEos(hf.get(r), 2), ours.get(r).tokens(), family + " " + input + " row " + r);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("families")
    void greedyEqualsArgmaxOfFullForward(String family) {
        ModelConfig c = TinyModels.config(family);
        List<int[]> prompts = TinyModels.randomSequences(c, 21, 5, 2, 7);
        try (Transformer model = Transformer.load(TinyModels.random(family, 22), Device.cpu(), Precision.FP32);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<Generation> out = new Sampler(model).generate(prompts, SamplingParams.greedy(6, List.of(), 0));
            for (int r = 0; r < prompts.size(); r++) {
                int[] context = prompts.get(r);
                assertEquals(6, out.get(r).tokens().length);
                assertFalse(out.get(r).stopped());
                for (int token : out.get(r).tokens()) {
                    NDArray logits = model.logits(TokenBatch.leftPadded(List.of(context), 0));
                    long expected = logits.get(0, context.length - 1).argMax().getLong();
                    assertEquals(expected, token, family + " row " + r);
                    context = append(context, token);
                }
            }
        }
    }

    @Test
    void sameSeedSameSamplesAndSeedMatters() {
        ModelConfig c = TinyModels.config("qwen2");
        List<int[]> prompts = TinyModels.randomSequences(c, 5, 4, 6, 3, 5);
        try (Transformer model = Transformer.load(TinyModels.random("qwen2", 7), Device.cpu(), Precision.FP32)) {
            Sampler sampler = new Sampler(model);
            SamplingParams p = new SamplingParams(true, 1.3, 20, 0.9, 1.1, 12, List.of(), 3, 42);
            List<Generation> a = sampler.generate(prompts, p);
            List<Generation> b = sampler.generate(prompts, p);
            List<Generation> other = sampler.generate(prompts, new SamplingParams(true, 1.3, 20, 0.9, 1.1, 12, List.of(), 3, 43));
            boolean differs = false;
            for (int r = 0; r < prompts.size(); r++) {
                assertArrayEquals(a.get(r).tokens(), b.get(r).tokens());
                differs |= !Arrays.equals(a.get(r).tokens(), other.get(r).tokens());
            }
            assertTrue(differs, "another seed must give other samples");
        }
    }

    /** First-token frequencies over many rows follow HF's processed distribution (temperature, top-k, top-p). */
    @Test
    void sampledFrequenciesFollowTheProcessedSoftmax() {
        ModelConfig c = TinyModels.config("llama");
        int[] prompt = TinyModels.randomSequences(c, 60, 5).get(0);
        double temperature = 6.0;
        int topK = 6;
        double topP = 0.85;
        try (Transformer model = Transformer.load(TinyModels.random("llama", 61), Device.cpu(), Precision.FP32);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            float[] logits = model.logits(TokenBatch.leftPadded(List.of(prompt), 0)).get(0, prompt.length - 1).toFloatArray();
            // HF: scores / T, keep the top k, then drop the low tail whose mass is <= 1 - top_p
            Integer[] order = new Integer[logits.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
            double[] p = new double[topK];
            double sum = 0;
            for (int i = 0; i < topK; i++) {
                p[i] = Math.exp((logits[order[i]] - logits[order[0]]) / temperature);
                sum += p[i];
            }
            int keep = topK;
            double tail = 0;
            for (int i = topK - 1; i >= 1; i--) {
                tail += p[i] / sum;
                if (tail <= 1 - topP) {
                    keep--;
                } else {
                    break;
                }
            }
            double kept = 0;
            for (int i = 0; i < keep; i++) {
                kept += p[i];
            }
            int rows = 500;
            List<int[]> prompts = new ArrayList<>();
            for (int r = 0; r < rows; r++) {
                prompts.add(prompt);
            }
            Sampler sampler = new Sampler(model);
            java.util.Map<Integer, Integer> counts = new java.util.HashMap<>();
            int n = 0;
            for (long seed = 0; seed < 4; seed++) {
                for (Generation g : sampler.generate(prompts,
                        new SamplingParams(true, temperature, topK, topP, 1.0, 1, List.of(), 0, seed))) {
                    counts.merge(g.tokens()[0], 1, Integer::sum);
                    n++;
                }
            }
            for (int i = 0; i < topK; i++) {
                double expected = i < keep ? p[i] / kept : 0;
                double observed = counts.getOrDefault(order[i], 0) / (double) n;
                assertEquals(expected, observed, 0.035, "token rank " + i);
            }
            int outside = n;
            for (int i = 0; i < keep; i++) {
                outside -= counts.getOrDefault(order[i], 0);
            }
            assertEquals(0, outside, "only top-k/top-p survivors are sampled");
            assertTrue(keep > 1 && keep < topK, "the test must exercise both filters: kept " + keep);
        }
    }

    @Test
    void topKOfOneSamplesTheArgmax() {
        ModelConfig c = TinyModels.config("llama");
        List<int[]> prompts = TinyModels.randomSequences(c, 8, 4, 6);
        try (Transformer model = Transformer.load(TinyModels.random("llama", 8), Device.cpu(), Precision.FP32)) {
            Sampler sampler = new Sampler(model);
            List<Generation> greedy = sampler.generate(prompts, SamplingParams.greedy(8, List.of(), 0));
            List<Generation> sampled = sampler.generate(prompts, new SamplingParams(true, 0.7, 1, 1.0, 1.0, 8, List.of(), 0, 9));
            for (int r = 0; r < prompts.size(); r++) {
                assertArrayEquals(greedy.get(r).tokens(), sampled.get(r).tokens());
            }
        }
    }

    @Test
    void rowsStopAtTheirOwnEos() {
        ModelConfig c = TinyModels.config("mistral");
        List<int[]> prompts = TinyModels.randomSequences(c, 12, 5, 3, 6);
        try (Transformer model = Transformer.load(TinyModels.random("mistral", 12), Device.cpu(), Precision.FP32)) {
            Sampler sampler = new Sampler(model);
            List<Generation> free = sampler.generate(prompts, SamplingParams.greedy(6, List.of(), 0));
            int eos = free.get(0).tokens()[2];
            List<Generation> stopped = sampler.generate(prompts, SamplingParams.greedy(6, List.of(eos), 0));
            for (int r = 0; r < prompts.size(); r++) {
                int[] expected = untilEos(free.get(r).tokens(), eos);
                assertArrayEquals(expected, stopped.get(r).tokens(), "row " + r);
                assertEquals(expected.length < 6 || expected[expected.length - 1] == eos, stopped.get(r).stopped());
            }
            assertTrue(stopped.get(0).tokens().length <= 3);
            assertTrue(stopped.get(0).stopped());
        }
    }

    /** Each greedy pick is the argmax of HF's penalised logits over the row's whole context (padding id included). */
    @Test
    void repetitionPenaltyCoversPromptPaddingAndGeneratedTokens() {
        ModelConfig c = TinyModels.config("llama");
        List<int[]> prompts = TinyModels.randomSequences(c, 30, 6, 4);
        double penalty = 1.8;
        try (Transformer model = Transformer.load(TinyModels.random("llama", 30), Device.cpu(), Precision.FP32);
             NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            List<Generation> out = new Sampler(model).generate(prompts,
                    new SamplingParams(false, 1.0, 0, 1.0, penalty, 10, List.of(), 0, 0));
            List<Generation> plain = new Sampler(model).generate(prompts, SamplingParams.greedy(10, List.of(), 0));
            boolean changed = false;
            for (int r = 0; r < prompts.size(); r++) {
                java.util.Set<Integer> context = new java.util.HashSet<>();
                for (int t : prompts.get(r)) {
                    context.add(t);
                }
                if (prompts.get(r).length < 6) {
                    context.add(0); // the left padding of the shorter row is in HF's input_ids too
                }
                int[] seq = prompts.get(r);
                for (int token : out.get(r).tokens()) {
                    float[] logits = model.logits(TokenBatch.leftPadded(List.of(seq), 0))
                            .get(0, seq.length - 1).toFloatArray();
                    int best = -1;
                    float bestValue = Float.NEGATIVE_INFINITY;
                    for (int v = 0; v < logits.length; v++) {
                        float l = logits[v];
                        if (context.contains(v)) {
                            l = l < 0 ? l * (float) penalty : l / (float) penalty;
                        }
                        if (l > bestValue) {
                            bestValue = l;
                            best = v;
                        }
                    }
                    assertEquals(best, token, "row " + r);
                    context.add(token);
                    seq = append(seq, token);
                }
                changed |= !Arrays.equals(plain.get(r).tokens(), out.get(r).tokens());
            }
            assertTrue(changed, "the penalty must change some greedy choice");
        }
    }

    private static List<int[]> unpad(TokenBatch b) {
        List<int[]> rows = new ArrayList<>();
        for (int r = 0; r < b.rows(); r++) {
            int first = b.firstReal(r);
            int[] row = new int[b.cols() - first];
            for (int j = 0; j < row.length; j++) {
                row[j] = (int) b.ids()[r * b.cols() + first + j];
            }
            rows.add(row);
        }
        return rows;
    }

    @Test
    void fromMergesGenerationConfigLikeHf() {
        GenerationDefaults qwen = new GenerationDefaults(true, 0.7, 20, 0.8, 1.05, List.of(151645, 151643), null, 151643);
        SamplingParams p = SamplingParams.from(qwen, SamplingParams.Overrides.none().withDoSample(true)
                .withTemperature(1.0).withMaxNewTokens(64).withSeed(5));
        assertEquals(new SamplingParams(true, 1.0, 20, 0.8, 1.05, 64, List.of(151645, 151643), 151643, 5), p);
        GenerationDefaults gguf = GenerationDefaults.huggingFace(List.of(2), 1, null);
        SamplingParams g = SamplingParams.from(gguf, SamplingParams.Overrides.none().withMaxNewTokens(8));
        assertFalse(g.doSample());
        assertEquals(50, g.topK());
        assertEquals(2, g.padTokenId());
        assertThrows(IllegalArgumentException.class, () -> SamplingParams.from(gguf, SamplingParams.Overrides.none()));
        assertThrows(IllegalArgumentException.class, () -> new SamplingParams(true, 0.0, 0, 1.0, 1.0, 4, List.of(), 0, 0));
    }

    private static int[] untilEos(int[] tokens, int eos) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == eos) {
                return Arrays.copyOf(tokens, i + 1);
            }
        }
        return tokens;
    }

    private static int[] append(int[] a, int t) {
        int[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = t;
        return out;
    }

    @Test
    void distinctSeedsAreNotTrivial() {
        assertNotEquals(new java.util.SplittableRandom(1).split().nextLong(), new java.util.SplittableRandom(2).split().nextLong());
    }
}
