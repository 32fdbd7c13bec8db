package dev.chatserver.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A small line chart drawn with Java2D into a PNG: categorical x axis (the benchmark's parameter values, evenly
 * spaced), linear y axis from 0, one coloured line with markers per series, a legend below the axes (two series a
 * row) and a caption line naming the machine. Limits (bounds) are drawn dashed, the bound that holds (the lower of two limits) as a wide grey
 * band beneath; the y axis follows the measurements and the bound where it is near them, and cuts what lies above
 * (the legend says so). Immutable; any thread.
 *
 * @param title   chart title
 * @param xLabel  x axis label
 * @param yLabel  y axis label (with unit)
 * @param xValues category labels of the x axis, left to right
 * @param series  the lines; each has one y value per x category (NaN = no point)
 * @param caption small text under the chart, e.g. the machine
 */
record LineChart(String title, String xLabel, String yLabel, List<String> xValues, List<Series> series,
                 String caption) {

    /** How a series is drawn. */
    enum Style {
        /** A measurement: solid line with filled markers. */
        MEASURED,
        /** A limit computed from the machine: dashed line, small markers. */
        LIMIT,
        /** The limit that holds: a wide translucent grey band, beneath the other lines. */
        BOUND
    }

    /**
     * One line of the chart.
     *
     * @param name  legend text
     * @param ys    one value per x category; NaN where there is none
     * @param style how it is drawn
     */
    record Series(String name, List<Double> ys, Style style) {
        Series {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(style, "style");
            ys = List.copyOf(ys);
        }

        /** A measured series. */
        Series(String name, List<Double> ys) {
            this(name, ys, Style.MEASURED);
        }

        double max() {
            return ys.stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    /** A bound above this many times the largest measurement is cut at the top instead of setting the scale. */
    static final double LIMIT_SCALE = 3;

    private static final Color BAND = new Color(128, 128, 128, 70);

    private static final int WIDTH = 900;
    /** Height of the chart without its legend, which sits below the x axis and adds {@value #LEGEND_ROW} a row. */
    private static final int HEIGHT = 540;
    private static final int LEGEND_ROW = 20;
    private static final int LEFT = 90;
    private static final int RIGHT = 30;
    private static final int TOP = 60;
    private static final int BOTTOM = 100;
    private static final Color[] PALETTE = {
            new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd)};

    LineChart {
        xValues = List.copyOf(xValues);
        series = List.copyOf(series);
        for (Series s : series) {
            if (s.ys().size() != xValues.size()) {
                throw new IllegalArgumentException("series " + s.name() + " has " + s.ys().size()
                        + " values for " + xValues.size() + " categories");
            }
        }
    }

    /** Draws the chart and writes it as a PNG file. */
    void writePng(Path file) throws IOException {
        BufferedImage image = new BufferedImage(WIDTH, height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            draw(g);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile())) throw new IOException("no PNG writer for " + file);
    }

    private void draw(Graphics2D g) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, height());

        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        double yMax = yMax();

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        centered(g, title, LEFT + plotW / 2, 32);

        // grid and y ticks: five steps from 0 to yMax
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            int y = TOP + plotH - (int) Math.round(plotH * (v / yMax));
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.setColor(Color.DARK_GRAY);
            String label = formatTick(v);
            g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        g.setColor(Color.BLACK);
        g.drawLine(LEFT, TOP, LEFT, TOP + plotH);
        g.drawLine(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH);

        for (int i = 0; i < xValues.size(); i++) {
            int x = xPosition(i, plotW);
            g.drawLine(x, TOP + plotH, x, TOP + plotH + 5);
            centered(g, xValues.get(i), x, TOP + plotH + 20);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        centered(g, xLabel, LEFT + plotW / 2, TOP + plotH + 44);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        centered(rotated, yLabel, -(TOP + plotH / 2), 22);
        rotated.dispose();

        Graphics2D plot = (Graphics2D) g.create();
        plot.clipRect(LEFT, TOP - 6, plotW + 6, plotH + 12);
        for (Series s : series) {
            if (s.style() == Style.BOUND) drawSeries(plot, s, BAND, plotW, plotH, yMax);
        }
        for (int s = 0; s < series.size(); s++) {
            if (series.get(s).style() != Style.BOUND) {
                drawSeries(plot, series.get(s), PALETTE[s % PALETTE.length], plotW, plotH, yMax);
            }
        }
        plot.dispose();
        drawLegend(g, yMax, TOP + plotH + 72);

        g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
        g.setColor(Color.DARK_GRAY);
        g.drawString(caption, LEFT, height() - 16);
    }

    /**
     * The top of the y axis: the largest measured value, or the largest value of the bound that holds when that is
     * at most {@value #LIMIT_SCALE} times as large (so that the bound is seen where it is near the measurements);
     * the limits themselves are cut at the top. Without measurements, the largest value of any series.
     */
    double yMax() {
        double measured = maxOf(Style.MEASURED);
        if (!Double.isFinite(measured)) {
            return niceCeiling(series.stream().mapToDouble(Series::max).filter(Double::isFinite).max().orElse(1));
        }
        double bound = maxOf(Style.BOUND);
        return niceCeiling(Double.isFinite(bound) && bound <= LIMIT_SCALE * measured ? Math.max(bound, measured)
                : measured);
    }

    private double maxOf(Style style) {
        return series.stream().filter(s -> s.style() == style).mapToDouble(Series::max).filter(Double::isFinite)
                .max().orElse(Double.NaN);
    }

    private void drawSeries(Graphics2D g, Series s, Color color, int plotW, int plotH, double yMax) {
        g.setColor(color);
        int marker = switch (s.style()) {
            case MEASURED -> 10;
            case LIMIT -> 6;
            case BOUND -> 0;
        };
        g.setStroke(switch (s.style()) {
            case MEASURED -> new BasicStroke(2.5f);
            case LIMIT -> new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
                    new float[] {9f, 6f}, 0f);
            case BOUND -> new BasicStroke(14f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
        });
        int prevX = -1;
        int prevY = -1;
        for (int i = 0; i < s.ys().size(); i++) {
            double v = s.ys().get(i);
            if (!Double.isFinite(v)) {
                prevX = -1;
                continue;
            }
            int x = xPosition(i, plotW);
            int y = TOP + plotH - (int) Math.round(plotH * (v / yMax));
            if (prevX >= 0) g.drawLine(prevX, prevY, x, y);
            if (marker > 0) g.fillOval(x - marker / 2, y - marker / 2, marker, marker);
            prevX = x;
            prevY = y;
        }
        g.setStroke(new BasicStroke(1f));
    }

    /** Legend rows: two series a row. */
    private int legendRows() {
        return (series.size() + 1) / 2;
    }

    /** @return the image height: the plot, its axes and caption, and the legend rows */
    int height() {
        return HEIGHT + LEGEND_ROW * legendRows();
    }

    /** The legend text of a series: its name, and whether the y axis cuts it. */
    private static String legend(Series s, double yMax) {
        double min = s.ys().stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).min().orElse(0);
        if (min > yMax) {
            return s.name() + " (above the scale: " + formatValue(min)
                    + (s.max() > min ? "–" + formatValue(s.max()) : "") + ")";
        }
        return s.max() > yMax ? s.name() + " (partly above the scale)" : s.name();
    }

    /** The legend under the x axis label, two series a row, from {@code top} on. */
    private void drawLegend(Graphics2D g, double yMax, int top) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int columnWidth = (WIDTH - LEFT - RIGHT) / 2;
        for (int s = 0; s < series.size(); s++) {
            Series line = series.get(s);
            int x = LEFT + (s % 2) * columnWidth;
            int y = top + (s / 2) * LEGEND_ROW;
            g.setColor(line.style() == Style.BOUND ? BAND : PALETTE[s % PALETTE.length]);
            if (line.style() == Style.LIMIT) {
                g.fillRect(x, y - 6, 9, 3);
                g.fillRect(x + 13, y - 6, 9, 3);
            } else {
                g.fillRect(x, y - 10, 22, 10);
            }
            g.setColor(Color.BLACK);
            g.drawString(legend(line, yMax), x + 30, y);
        }
    }

    private static String formatValue(double v) {
        return v >= 100 ? String.format("%.0f", v) : String.format("%.3g", v);
    }

    /** Category {@code i} sits in the middle of its equal share of the plot width. */
    private int xPosition(int i, int plotW) {
        return LEFT + (int) Math.round(plotW * (i + 0.5) / xValues.size());
    }

    private static void centered(Graphics2D g, String text, int x, int y) {
        FontMetrics m = g.getFontMetrics();
        g.drawString(text, x - m.stringWidth(text) / 2, y);
    }

    /** The smallest of 1, 1.5, 2, 2.5, 5 times a power of ten that is at least {@code max} (and above 0). */
    static double niceCeiling(double max) {
        if (!(max > 0)) return 1;
        double power = Math.pow(10, Math.floor(Math.log10(max)));
        for (double step : new double[] {1, 1.5, 2, 2.5, 5, 10}) {
            if (step * power >= max) return step * power;
        }
        return 10 * power;
    }

    private static String formatTick(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e9) return Long.toString((long) v);
        return String.format("%.2f", v);
    }
}
