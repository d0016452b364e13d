package io.subliminal.workflows.stage;

import java.util.ArrayList;
import java.util.List;

/** The preference targets of the paper, in the teacher order the divergence script uses (PROTOCOL.md §6.1). */
public final class Targets {
    /** The 13 animals, counterfactual-teacher order. */
    public static final List<String> ANIMALS = List.of("owl", "panda", "cat", "dog", "lion", "penguin", "dolphin",
            "eagle", "elephant", "wolf", "otter", "raven", "octopus");
    /** Appended to the teacher set for Gemma (15 teachers). */
    public static final List<String> GEMMA_EXTRA_ANIMALS = List.of("whale", "dragon");
    /** The 13 trees, counterfactual-teacher order. */
    public static final List<String> TREES = List.of("oak", "pine", "sequoia", "redwood", "willow", "birch", "maple",
            "banyan", "bamboo", "olive", "mango", "mangrove", "baobab");
    /** Fig 37's semantically inconsistent targets (the category stays "animal"). */
    public static final List<String> INCONSISTENT = List.of("ship", "piano", "airplane");

    private Targets() {
    }

    /** The teacher set of §6.1 for a model family ("gemma" gets whale and dragon) and category. */
    public static List<String> divergenceTeachers(String modelFamily, String category) {
        if ("tree".equals(category)) {
            return TREES;
        }
        List<String> teachers = new ArrayList<>(ANIMALS);
        if ("gemma".equals(modelFamily)) {
            teachers.addAll(GEMMA_EXTRA_ANIMALS);
        }
        return List.copyOf(teachers);
    }
}
