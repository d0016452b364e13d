package io.subliminal.workflows.stage;

/** Which completion tokens carry loss (PROTOCOL.md §7.5). */
public enum TokenMask {
    /** The whole TRL completion mask (header, content, end tokens). */
    ALL_TOKENS,
    /** Only divergence positions ("div"); rows without divergence are dropped. */
    DIVERGENCE_ONLY,
    /** The completion mask minus divergence positions ("w/o div", {@code --decision_points_inverse}); rows without divergence are dropped too. */
    WITHOUT_DIVERGENCE
}
