package io.subliminal.workflows.sweep;

import io.temporal.common.SearchAttributeKey;
import java.util.List;
import java.util.Map;

/**
 * Custom search attributes (registered by the launcher: {@code --search-attribute Figure=Keyword ...}). Query runs
 * in the Web UI or CLI with e.g. {@code Figure = 'fig-3' AND Model = 'qwen' AND ExecutionStatus = 'Failed'}.
 */
public final class SearchKeys {
    public static final SearchAttributeKey<String> FIGURE = SearchAttributeKey.forKeyword("Figure");
    public static final SearchAttributeKey<String> MODEL = SearchAttributeKey.forKeyword("Model");
    public static final SearchAttributeKey<String> TARGET = SearchAttributeKey.forKeyword("Target");
    public static final SearchAttributeKey<String> CONDITION = SearchAttributeKey.forKeyword("Condition");
    public static final SearchAttributeKey<Long> SEED = SearchAttributeKey.forLong("Seed");
    /** Stage type id ("finetune"): of a stage workflow, and of the stage a run started last. */
    public static final SearchAttributeKey<String> STAGE = SearchAttributeKey.forKeyword("Stage");

    /** Name to Temporal type, for registering them on a server. */
    public static final Map<String, String> TYPES = Map.of("Figure", "Keyword", "Model", "Keyword", "Target", "Keyword",
            "Condition", "Keyword", "Seed", "Int", "Stage", "Keyword");

    /** All keys. */
    public static final List<SearchAttributeKey<?>> ALL = List.of(FIGURE, MODEL, TARGET, CONDITION, SEED, STAGE);

    private SearchKeys() {
    }
}
