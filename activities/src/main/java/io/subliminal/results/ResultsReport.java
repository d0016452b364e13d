package io.subliminal.results;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The short report of a figure, in Markdown and HTML: its plots, then every point with its mean and standard error
 * over seeds, each seed linked to its run's workflow ID and the artifact its value came from.
 *
 * @param table the figure's points
 * @param sweepId the sweep workflow ID
 * @param files artifact URIs of the CSV tables and plots by file name, in the order they are listed
 */
public record ResultsReport(FigureTable table, String sweepId, Map<String, String> files) {

    public ResultsReport {
        files = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(files));
    }

    public byte[] markdown() {
        StringBuilder md = new StringBuilder("# " + table.figure() + " results\n\n");
        md.append("Sweep `").append(sweepId).append("`: ").append(table.observations().size())
                .append(" values from ").append(runCount()).append(" runs, ").append(table.points().size())
                .append(" points (mean and standard error over seeds, ddof = 1).\n\n## Files\n\n");
        files.forEach((name, uri) -> md.append("- [").append(name).append("](").append(uri).append(")\n"));
        files.forEach((name, uri) -> {
            if (name.endsWith(".png")) {
                md.append("\n![").append(name).append("](").append(uri).append(")\n");
            }
        });
        String plot = null;
        for (FigurePoint p : table.points()) {
            if (!p.plotName().equals(plot)) {
                plot = p.plotName();
                md.append("\n## ").append(plot).append("\n\n| model | target | condition | n | mean | SE | runs |\n")
                        .append("|---|---|---|---|---|---|---|\n");
            }
            md.append("| ").append(p.model()).append(" | ").append(p.target()).append(" | ").append(p.condition())
                    .append(" | ").append(p.stats().n()).append(" | ").append(number(p.stats().mean())).append(" | ")
                    .append(number(p.stats().standardError())).append(" | ");
            for (int i = 0; i < p.runIds().size(); i++) {
                md.append(i == 0 ? "" : "<br>").append("seed ").append(p.seeds().get(i)).append(": `")
                        .append(p.runIds().get(i)).append("`");
                if (!p.sources().get(i).isEmpty()) {
                    md.append(" [artifact](").append(p.sources().get(i)).append(")");
                }
            }
            md.append(" |\n");
        }
        return md.toString().getBytes(StandardCharsets.UTF_8);
    }

    public byte[] html() {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(table.figure())).append(" results</title>\n<style>body{font-family:sans-serif;margin:2em}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}"
                        + "img{max-width:100%}</style>\n</head>\n<body>\n<h1>").append(esc(table.figure()))
                .append(" results</h1>\n<p>Sweep <code>").append(esc(sweepId)).append("</code>: ")
                .append(table.observations().size()).append(" values from ").append(runCount()).append(" runs, ")
                .append(table.points().size()).append(" points (mean and standard error over seeds, ddof = 1).</p>\n<h2>Files</h2>\n<ul>\n");
        files.forEach((name, uri) -> h.append("<li><a href=\"").append(esc(uri)).append("\">").append(esc(name)).append("</a></li>\n"));
        h.append("</ul>\n");
        files.forEach((name, uri) -> {
            if (name.endsWith(".svg")) {
                h.append("<figure><img src=\"").append(esc(uri)).append("\" alt=\"").append(esc(name))
                        .append("\"><figcaption>").append(esc(name)).append("</figcaption></figure>\n");
            }
        });
        String plot = null;
        for (FigurePoint p : table.points()) {
            if (!p.plotName().equals(plot)) {
                h.append(plot == null ? "" : "</table>\n");
                plot = p.plotName();
                h.append("<h2>").append(esc(plot)).append("</h2>\n<table>\n<tr><th>model</th><th>target</th>"
                        + "<th>condition</th><th>n</th><th>mean</th><th>SE</th><th>runs</th></tr>\n");
            }
            h.append("<tr><td>").append(esc(p.model())).append("</td><td>").append(esc(p.target())).append("</td><td>")
                    .append(esc(p.condition())).append("</td><td>").append(p.stats().n()).append("</td><td>")
                    .append(number(p.stats().mean())).append("</td><td>").append(number(p.stats().standardError()))
                    .append("</td><td>");
            for (int i = 0; i < p.runIds().size(); i++) {
                h.append(i == 0 ? "" : "<br>").append("seed ").append(esc(p.seeds().get(i))).append(": <code>")
                        .append(esc(p.runIds().get(i))).append("</code>");
                if (!p.sources().get(i).isEmpty()) {
                    h.append(" <a href=\"").append(esc(p.sources().get(i))).append("\">artifact</a>");
                }
            }
            h.append("</td></tr>\n");
        }
        h.append(plot == null ? "" : "</table>\n").append("</body>\n</html>\n");
        return h.toString().getBytes(StandardCharsets.UTF_8);
    }

    private long runCount() {
        return table.observations().stream().map(Observation::runId).distinct().count();
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    private static String esc(String s) {
        return SvgCanvas.escape(s);
    }

    /** File names of {@code charts}' SVG and PNG renderings, in order. */
    public static List<String> plotFiles(List<Chart> charts) {
        return charts.stream().flatMap(c -> java.util.stream.Stream.of(c.name() + ".svg", c.name() + ".png")).toList();
    }
}
