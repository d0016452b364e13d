package io.subliminal.activities.support;

/**
 * Heartbeat details of a stage activity: where it is and what a retry may resume from.
 *
 * @param step what the activity is doing now ("load-model", "sample", "train", ...)
 * @param done items finished (rows, batches, questions, optimizer steps)
 * @param total items in all
 * @param resumePoint the last durable point a new attempt can continue from (rows written, checkpoint step); 0 = none
 */
public record StageProgress(String step, long done, long total, long resumePoint) {

    public StageProgress {
        step = step == null ? "" : step;
    }

    /** Progress at {@code step} with nothing done yet. */
    public static StageProgress starting(String step) {
        return new StageProgress(step, 0, 0, 0);
    }

    /** A copy at another step, keeping the resume point. */
    public StageProgress at(String newStep, long newDone, long newTotal) {
        return new StageProgress(newStep, newDone, newTotal, resumePoint);
    }

    /** A copy with a new durable resume point. */
    public StageProgress resumableAt(long point) {
        return new StageProgress(step, done, total, point);
    }
}
