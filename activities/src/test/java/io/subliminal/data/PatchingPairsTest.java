package io.subliminal.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Counterfactual choice and first-divergent-position selection of attribution patching (PROTOCOL.md §11.2 1, 3, 4). */
class PatchingPairsTest {

    @Test
    void counterfactualsHaveTheTargetsTokenCountInListOrder() {
        Map<String, Integer> counts = Map.of(" owls", 2, " cats", 1, " dogs", 1, " pandas", 2, " octopuss", 3, " eagles", 2);
        List<String> animals = List.of("owl", "panda", "cat", "dog", "octopus", "eagle");
        assertEquals(List.of("panda", "eagle"), PatchingPairs.counterfactualAnimals("owl", animals, counts::get));
        assertEquals(List.of("dog"), PatchingPairs.counterfactualAnimals("cat", animals, counts::get));
        assertEquals(List.of(), PatchingPairs.counterfactualAnimals("octopus", animals, counts::get));
    }

    @Test
    void eachCounterfactualPairsAtItsFirstPositionWhereTheTargetIsRightAndItIsWrong() {
        int[] g = {10, 11, 12, 13, 14};
        CompletionSlice target = new CompletionSlice(g, new int[]{10, 99, 12, 13, 14});   // wrong at 1
        CompletionSlice a = new CompletionSlice(g, new int[]{10, 98, 12, 40, 41});        // wrong at 1 (target too), 3, 4
        CompletionSlice b = new CompletionSlice(g, new int[]{10, 11, 12, 13, 14});        // never wrong
        CompletionSlice c = new CompletionSlice(g, new int[]{50, 11, 12, 13, 14});        // wrong at 0
        List<PatchingPair> pairs = PatchingPairs.select(List.of("owl", "cat", "dog", "eagle"), List.of(target, a, b, c), 20);
        assertEquals(List.of(
                new PatchingPair("cat", 1, 3, 13, 40, 22),
                new PatchingPair("eagle", 3, 0, 10, 50, 19)), pairs);
    }

    @Test
    void noPairWhenTheTargetIsNeverRightWhereOthersAreWrong() {
        int[] g = {1, 2};
        CompletionSlice target = new CompletionSlice(g, new int[]{7, 8});
        CompletionSlice other = new CompletionSlice(g, new int[]{9, 9});
        assertEquals(List.of(), PatchingPairs.select(List.of("owl", "cat"), List.of(target, other), 5));
        assertThrows(IllegalArgumentException.class, () -> PatchingPairs.select(List.of("owl", "cat"),
                List.of(target, new CompletionSlice(new int[]{1, 3}, new int[]{1, 3})), 5), "different completions");
    }
}
