package io.subliminal.results;

/** The drawing operations a figure needs; implemented once as hand-written SVG and once with Java2D for PNG. */
public interface Canvas {

    /** Text anchoring relative to the given point. */
    enum Anchor { START, MIDDLE, END }

    void rect(double x, double y, double width, double height, String fill);

    void line(double x1, double y1, double x2, double y2, String stroke, double width, boolean dashed);

    void circle(double cx, double cy, double r, String fill);

    /** Text with its baseline at {@code y}; {@code vertical} rotates it by -90 degrees about (x, y). */
    void text(double x, double y, String text, double size, Anchor anchor, boolean bold, boolean vertical);
}
