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
 * spaced), linear y axis from 0, one coloured line with markers per series, a legend and a caption line naming
 * the machine. Immutable; any thread.
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

    /**
     * One line of the chart.
     *
     * @param name legend text
     * @param ys   one value per x category; NaN where there is none
     */
    record Series(String name, List<Double> ys) {
        Series {
            Objects.requireNonNull(name, "name");
            ys = List.copyOf(ys);
        }
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
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
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
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
        g.fillRect(0, 0, WIDTH, HEIGHT);

        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        double yMax = niceCeiling(series.stream().flatMap(s -> s.ys().stream())
                .filter(Double::isFinite).mapToDouble(Double::doubleValue).max().orElse(1));

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

        for (int s = 0; s < series.size(); s++) {
            drawSeries(g, series.get(s), PALETTE[s % PALETTE.length], plotW, plotH, yMax);
        }
        drawLegend(g);

        g.setFont(new Font(Font.SANS_SERIF, Font.ITALIC, 12));
        g.setColor(Color.DARK_GRAY);
        g.drawString(caption, LEFT, HEIGHT - 16);
    }

    private void drawSeries(Graphics2D g, Series s, Color color, int plotW, int plotH, double yMax) {
        g.setColor(color);
        g.setStroke(new BasicStroke(2.5f));
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
            g.fillOval(x - 5, y - 5, 10, 10);
            prevX = x;
            prevY = y;
        }
        g.setStroke(new BasicStroke(1f));
    }

    private void drawLegend(Graphics2D g) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int x = LEFT + 16;
        int y = TOP + 18;
        int width = 40 + series.stream().mapToInt(s -> g.getFontMetrics().stringWidth(s.name())).max().orElse(0);
        g.setColor(new Color(255, 255, 255, 220));
        g.fillRect(x - 8, y - 16, width + 8, 20 * series.size() + 8);
        g.setColor(Color.LIGHT_GRAY);
        g.drawRect(x - 8, y - 16, width + 8, 20 * series.size() + 8);
        for (int s = 0; s < series.size(); s++) {
            g.setColor(PALETTE[s % PALETTE.length]);
            g.fillRect(x, y - 10, 22, 10);
            g.setColor(Color.BLACK);
            g.drawString(series.get(s).name(), x + 30, y);
            y += 20;
        }
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
