package io.subliminal.workflows.stage;

/**
 * The pipeline stages (PROTOCOL.md §1): each has one activity interface, a stable name used in content keys,
 * search attributes and IDs, and a version that is bumped whenever the stage's output for the same inputs changes.
 */
public enum StageKind {
    GENERATE_NUMBERS("generate-numbers", 1),
    MARK_DIVERGENCE("mark-divergence", 1),
    MODIFY_DATASET("modify-dataset", 1),
    FINETUNE("finetune", 1),
    EVALUATE_PREFERENCE("evaluate-preference", 1),
    EVALUATE_MAIN_TASK("evaluate-main-task", 1),
    EVALUATE_FACTUALITY("evaluate-factuality", 1),
    EVALUATE_MISALIGNMENT("evaluate-misalignment", 1),
    ATTRIBUTION_PATCHING("attribution-patching", 1),
    AGGREGATE("aggregate", 1);

    private final String id;
    private final int version;

    StageKind(String id, int version) {
        this.id = id;
        this.version = version;
    }

    /** Stable kebab-case name ("finetune"); used in recipes, content keys and workflow IDs. */
    public String id() {
        return id;
    }

    /** Implementation version: part of every content key, so bumping it re-runs the stage. */
    public int version() {
        return version;
    }

    /** The kind with the given {@link #id()}, or an error naming the known ones. */
    public static StageKind fromId(String id) {
        for (StageKind kind : values()) {
            if (kind.id.equals(id)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown stage '" + id + "'; known: " + java.util.Arrays.stream(values()).map(StageKind::id).toList());
    }
}
