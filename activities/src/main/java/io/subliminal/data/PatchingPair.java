package io.subliminal.data;

/**
 * One (target, counterfactual) pair of attribution patching (PROTOCOL.md §11.2 steps 3-4): the first completion
 * position where the target teacher's greedy prediction is the actual token and the counterfactual teacher's is not.
 *
 * @param animal the counterfactual animal
 * @param teacher its index in the teacher rows of the forward (0 = the target)
 * @param offset j_c, completion-relative (0 = first completion token)
 * @param correctToken g[j_c], the actual token (the target's prediction)
 * @param incorrectToken the counterfactual's prediction at j_c
 * @param metricPosition absolute index of g[j_c] in the row minus 1: the position whose logits predict it
 */
public record PatchingPair(String animal, int teacher, int offset, int correctToken, int incorrectToken,
                           int metricPosition) {
}
