package io.subliminal.data;

/** Why a teacher completion is rejected (PROTOCOL §4); the labels are the original code's strings. */
public enum RejectReason {
    INVALID_FORMAT("invalid format"),
    TOO_MANY_NUMBERS("too many numbers"),
    NUMBERS_TOO_SMALL("numbers too small"),
    NUMBERS_TOO_LARGE("numbers too large"),
    HAS_BANNED_NUMBERS("has banned numbers");

    private final String label;

    RejectReason(String label) {
        this.label = label;
    }

    /** The reason as the original {@code get_reject_reasons} writes it. */
    public String label() {
        return label;
    }
}
