package io.subliminal.workflows.sweep;

/** Progress of one stage of a run. */
public enum StageStatus {
    PENDING("·"), RUNNING("⏳"), DONE("✅"), FAILED("❌"), CANCELED("⊘");

    private final String symbol;

    StageStatus(String symbol) {
        this.symbol = symbol;
    }

    /** The grid cell shown in the Web UI. */
    public String symbol() {
        return symbol;
    }
}
