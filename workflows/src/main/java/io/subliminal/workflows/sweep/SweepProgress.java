package io.subliminal.workflows.sweep;

import java.util.Map;

/**
 * Progress of a sweep (query result and update reply).
 *
 * @param figure figure id
 * @param total runs in the (possibly extended) recipe
 * @param pending runs not started
 * @param running runs in flight
 * @param done runs finished successfully
 * @param failed runs failed or cancelled
 * @param paused scheduling paused
 * @param failures run ID to failure message
 * @param grid the markdown grid shown as the sweep's current details
 */
public record SweepProgress(String figure, int total, int pending, int running, int done, int failed, boolean paused,
                            Map<String, String> failures, String grid) {
}
