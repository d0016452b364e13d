package io.subliminal.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Which counterfactual teachers attribution patching compares with the target, and where (PROTOCOL.md §11.2
 * steps 1, 3, 4).
 */
public final class PatchingPairs {

    private PatchingPairs() {
    }

    /**
     * Step 1: the other animals whose {@code " {animal}s"} has as many tokens as the target's, in list order, so
     * every teacher's system prompt aligns with the target's position by position.
     *
     * @param tokenCount tokens of a text under the model's tokenizer (no special tokens)
     */
    public static List<String> counterfactualAnimals(String target, List<String> animals, ToIntFunction<String> tokenCount) {
        int targetCount = tokenCount.applyAsInt(plural(target));
        List<String> out = new ArrayList<>();
        for (String animal : animals) {
            if (!animal.equals(target) && tokenCount.applyAsInt(plural(animal)) == targetCount) {
                out.add(animal);
            }
        }
        return out;
    }

    /** The text whose token count step 1 compares: a space, the animal, "s" (as the system prompt writes it). */
    public static String plural(String animal) {
        return " " + animal + "s";
    }

    /**
     * Steps 3-4 for one dataset row: for each counterfactual teacher (in order), the first position j where the
     * target's prediction is right and the counterfactual's is wrong; a counterfactual without such a position is
     * left out.
     *
     * @param animals         the teachers of the forward, target first
     * @param slices          their completions under teacher forcing, in the same order, with one ground truth
     * @param completionStart absolute index of the first completion token in the (aligned) rows
     */
    public static List<PatchingPair> select(List<String> animals, List<CompletionSlice> slices, int completionStart) {
        if (animals.size() != slices.size()) {
            throw new IllegalArgumentException(animals.size() + " animals but " + slices.size() + " completion slices");
        }
        if (slices.isEmpty()) {
            throw new IllegalArgumentException("need the target's completion slice");
        }
        if (completionStart < 1) {
            throw new IllegalArgumentException("completion start " + completionStart + " leaves no position to predict it");
        }
        CompletionSlice target = slices.get(0);
        int[] g = target.groundTruth();
        List<PatchingPair> pairs = new ArrayList<>();
        for (int c = 1; c < slices.size(); c++) {
            CompletionSlice counterfactual = slices.get(c);
            if (!Arrays.equals(counterfactual.groundTruth(), g)) {
                throw new IllegalArgumentException("teacher " + animals.get(c) + " sees a different completion than the target");
            }
            for (int j = 0; j < g.length; j++) {
                boolean targetRight = target.predictions()[j] == g[j];
                boolean counterfactualWrong = counterfactual.predictions()[j] != g[j];
                if (targetRight && counterfactualWrong) {
                    pairs.add(new PatchingPair(animals.get(c), c, j, g[j], counterfactual.predictions()[j],
                            completionStart + j - 1));
                    break;
                }
            }
        }
        return pairs;
    }
}
