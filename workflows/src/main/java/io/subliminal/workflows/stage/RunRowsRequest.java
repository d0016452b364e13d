package io.subliminal.workflows.stage;

import java.util.List;

/**
 * One finished run's aggregation rows, to be stored as one artifact ({@link AggregateActivity#storeRunRows}) so that
 * a sweep of thousands of runs carries references in its state and its aggregation request, never the rows.
 *
 * @param runId the run's workflow ID
 * @param rows the run's rows, in stage order
 */
public record RunRowsRequest(String runId, List<AggregateRow> rows) {
    public RunRowsRequest {
        Checks.nonBlank("runId", runId);
        rows = Checks.list(rows);
        Checks.check(!rows.isEmpty(), "rows must not be empty");
        for (AggregateRow row : rows) {
            Checks.check(row.runId().equals(runId), "rows must all belong to run " + runId + ", got " + row.runId());
        }
    }
}
