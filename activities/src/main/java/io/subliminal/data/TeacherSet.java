package io.subliminal.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The teachers compared for divergence marking (PROTOCOL §6.1): one preference per teacher in a fixed order, all
 * with the same category. The factual teacher is the target's own entry; every other entry is counterfactual.
 *
 * @param preferences teacher preferences, in the order of the correctness-matrix rows
 * @param category    the system-prompt category ("animal" or "tree")
 */
public record TeacherSet(List<String> preferences, String category) {

    /** The 13 animals in the divergence scripts' order. */
    public static final List<String> ANIMALS = List.of("owl", "panda", "cat", "dog", "lion", "penguin", "dolphin",
            "eagle", "elephant", "wolf", "otter", "raven", "octopus");
    /** Appended to {@link #ANIMALS} for Gemma (15 teachers). */
    public static final List<String> GEMMA_EXTRA_ANIMALS = List.of("whale", "dragon");
    /** The 13 trees in the divergence scripts' order. */
    public static final List<String> TREES = List.of("oak", "pine", "sequoia", "redwood", "willow", "birch", "maple",
            "banyan", "bamboo", "olive", "mango", "mangrove", "baobab");

    public TeacherSet {
        preferences = List.copyOf(preferences);
        if (preferences.size() < 2) {
            throw new IllegalArgumentException("a teacher set needs at least two preferences, got " + preferences);
        }
        if (preferences.stream().distinct().count() != preferences.size()) {
            throw new IllegalArgumentException("teacher preferences must be distinct: " + preferences);
        }
    }

    /** The animal teachers for a model family: 13, plus whale and dragon for Gemma. */
    public static TeacherSet animals(boolean gemma) {
        List<String> p = new ArrayList<>(ANIMALS);
        if (gemma) {
            p.addAll(GEMMA_EXTRA_ANIMALS);
        }
        return new TeacherSet(p, TeacherPrompts.ANIMAL);
    }

    /** The 13 tree teachers ({@code --trees}). */
    public static TeacherSet trees() {
        return new TeacherSet(TREES, TeacherPrompts.TREE);
    }

    /**
     * Teacher sets from a lists file (data/animals_and_trees.json layout): {@code animals_counterfactual_order},
     * {@code gemma_extra_counterfactual_animals} (used when {@code gemma}), or {@code trees_counterfactual_order}.
     */
    public static TeacherSet load(Path file, boolean trees, boolean gemma) {
        JsonNode root = ConfigFiles.read(file);
        if (trees) {
            return new TeacherSet(ConfigFiles.strings(root, "trees_counterfactual_order", file), TeacherPrompts.TREE);
        }
        List<String> p = new ArrayList<>(ConfigFiles.strings(root, "animals_counterfactual_order", file));
        if (gemma) {
            p.addAll(ConfigFiles.strings(root, "gemma_extra_counterfactual_animals", file));
        }
        return new TeacherSet(p, TeacherPrompts.ANIMAL);
    }

    /** Index of the factual teacher for {@code target}. */
    public int targetIndex(String target) {
        int i = preferences.indexOf(target);
        if (i < 0) {
            throw new IllegalArgumentException("target preference '" + target + "' is not in the teacher set " + preferences);
        }
        return i;
    }

    /** Number of teachers. */
    public int size() {
        return preferences.size();
    }

    /** Each teacher's system prompt, in order. */
    public List<String> systemPrompts(TeacherPrompts prompts) {
        return preferences.stream().map(p -> prompts.systemPrompt(p, category)).toList();
    }
}
