package io.subliminal.results;

import java.util.List;

/**
 * A figure in the paper's layout: side-by-side panels (one per model) sharing a legend. In a bar chart each panel
 * has one group per category (target) with one bar per series (condition); in a line chart each series (target, or
 * target and condition series) is a line over the swept axis. Every mark carries its standard error bar.
 *
 * @param name file name stem ("eval-preference.mean.bars")
 * @param title figure title
 * @param kind bars or lines
 * @param xLabel x-axis label
 * @param yLabel y-axis label
 * @param legend series names in legend order (a series' colour is its index here)
 * @param panels the panels, left to right
 */
public record Chart(String name, String title, Kind kind, String xLabel, String yLabel, List<String> legend,
                    List<Panel> panels) {

    /** Bar groups per category, or lines over a numeric axis. */
    public enum Kind { BARS, LINES }

    public Chart {
        legend = List.copyOf(legend);
        panels = List.copyOf(panels);
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("chart " + name + " has no panels");
        }
    }

    /**
     * One panel.
     *
     * @param title panel title ("(a) qwen")
     * @param categories bar-group names (bars) or tick values (lines)
     * @param marks every mark of the panel
     */
    public record Panel(String title, List<String> categories, List<Mark> marks) {
        public Panel {
            categories = List.copyOf(categories);
            marks = List.copyOf(marks);
        }
    }

    /**
     * One plotted point.
     *
     * @param series index into the legend
     * @param x category index (bars) or axis value (lines)
     * @param mean bar height or line point
     * @param error standard error (half the error bar)
     */
    public record Mark(int series, double x, double mean, double error) {
    }
}
