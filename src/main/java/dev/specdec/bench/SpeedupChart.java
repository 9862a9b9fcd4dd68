package dev.specdec.bench;

import dev.specdec.SpecdecException;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The benchmark's chart: median speed-up over plain greedy against k, one line per drafting variant
 * (and generation length, when several were run), with min-max bars over the repeats.
 */
public final class SpeedupChart {

    public static final int WIDTH = 900;
    public static final int HEIGHT = 560;

    /** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies and in greyscale print. */
    private static final Color[] PALETTE = {
        new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442),
    };

    static {
        // Rendering to a file needs no display; without this AWT looks for one on a server.
        System.setProperty("java.awt.headless", "true");
    }

    /** Horizontal distance between neighbouring variants' points at one k, so their bars do not overlap. */
    static final double DODGE = 0.07;

    private SpeedupChart() {
    }

    private static YIntervalSeries dodged(YIntervalSeries s, double offset) {
        YIntervalSeries out = new YIntervalSeries(s.getKey());
        for (int i = 0; i < s.getItemCount(); i++) {
            out.add(s.getX(i).doubleValue() + offset, s.getYValue(i), s.getYLowValue(i), s.getYHighValue(i));
        }
        return out;
    }

    /** Writes the chart of {@code report} as a PNG of {@link #WIDTH} x {@link #HEIGHT} pixels. */
    public static void write(BenchReport report, String title, Path file) {
        JFreeChart chart = chart(report, title);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new SpecdecException("cannot write the chart to " + file + ": " + e.getMessage()
                    + "; pass --chart with a writable path", e);
        }
    }

    static JFreeChart chart(BenchReport report, String title) {
        boolean severalLengths = report.rows().stream().map(BenchReport.Row::maxNewTokens).distinct().count() > 1;
        Map<String, YIntervalSeries> series = new LinkedHashMap<>();
        double low = 1.0;
        double high = 1.0;
        for (BenchReport.Row r : report.rows()) {
            if (r.greedy()) {
                continue;
            }
            String name = severalLengths ? r.draft() + " n=" + r.maxNewTokens() : r.draft();
            Spread s = r.speedUp();
            series.computeIfAbsent(name, YIntervalSeries::new).add(r.k(), s.median(), s.min(), s.max());
            low = Math.min(low, s.min());
            high = Math.max(high, s.max());
        }
        YIntervalSeriesCollection dataset = new YIntervalSeriesCollection();
        int index = 0;
        for (YIntervalSeries line : series.values()) {
            dataset.addSeries(dodged(line, (index++ - (series.size() - 1) / 2.0) * DODGE));
        }

        JFreeChart chart = ChartFactory.createXYLineChart(title, "draft length k",
                "speed-up over plain greedy (median, min-max)", dataset, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDrawXError(false);
        renderer.setDrawYError(true);
        renderer.setDefaultLinesVisible(true);
        renderer.setDefaultShapesVisible(true);
        for (int i = 0; i < dataset.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ((NumberAxis) plot.getDomainAxis()).setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        // Keep the greedy line (1.0) in view even when every variant is well above or below it.
        double margin = Math.max(0.05, (high - low) * 0.08);
        plot.getRangeAxis().setRange(low - margin, high + margin);

        ValueMarker greedy = new ValueMarker(1.0, Color.DARK_GRAY,
                new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
        greedy.setLabel("plain greedy");
        greedy.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        greedy.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        plot.addRangeMarker(greedy);
        return chart;
    }
}
