package io.subliminal.results;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A condition's position on a swept axis, read from its name: {@code T-all-layer-14} is series {@code T-all-layer}
 * at 14 on axis "layer"; {@code T-mix-control-1000} is series {@code T-mix-control} at 1000 on axis "mix size".
 *
 * @param series the condition name without its axis value
 * @param axis the axis name for the plot's x label
 * @param value the position on the axis
 */
public record SweptAxis(String series, String axis, double value) {

    private static final Pattern TRAILING_NUMBER = Pattern.compile("^(.+?)-(\\d+(?:\\.\\d+)?)$");

    /** The axis position of {@code condition}, or empty when its name does not end in a number. */
    public static Optional<SweptAxis> of(String condition) {
        Matcher m = TRAILING_NUMBER.matcher(condition);
        if (!m.matches()) {
            return Optional.empty();
        }
        String series = m.group(1);
        return Optional.of(new SweptAxis(series, axisName(series), Double.parseDouble(m.group(2))));
    }

    /** The axis an explicit label names (a label other than the run coordinates). */
    public static SweptAxis ofLabel(String condition, String label, String value) {
        try {
            return new SweptAxis(condition, label, Double.parseDouble(value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("axis label '" + label + "' must be a number, got '" + value + "'");
        }
    }

    private static String axisName(String series) {
        String last = series.substring(series.lastIndexOf('-') + 1).toLowerCase(Locale.ROOT);
        return switch (last) {
            case "layer" -> "LoRA layer";
            case "ratio" -> "decision-point ratio (%)";
            case "mixing" -> "mix ratio (%)";
            case "rank" -> "LoRA rank";
            case "topk" -> "top-k";
            default -> series.contains("mix") ? "mix-in size" : last;
        };
    }
}
