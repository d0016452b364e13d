package io.subliminal.workflows.sweep;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.subliminal.workflows.payload.ArtifactRef;
import io.subliminal.workflows.stage.AggregateRow;
import java.util.List;
import java.util.Map;

/**
 * A run the sweep has finished with (kept across continue-as-new).
 *
 * @param runId run workflow ID
 * @param labels run coordinates
 * @param status DONE, FAILED or CANCELED
 * @param failure why it failed, else null
 * @param rows its evaluation stages for the aggregation
 * @param durationMillis wall time from start to end (workflow clock)
 * @param rowsPage the stored rows when {@code rows} was moved to the store (see
 *        {@link io.subliminal.workflows.stage.AggregateActivity#storeRunRows}), else null
 */
public record RunRecord(String runId, Map<String, String> labels, StageStatus status, String failure, List<AggregateRow> rows,
                        long durationMillis, @JsonInclude(JsonInclude.Include.NON_NULL) ArtifactRef rowsPage) {
    public RunRecord {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        rows = rows == null ? List.of() : List.copyOf(rows);
    }
}
