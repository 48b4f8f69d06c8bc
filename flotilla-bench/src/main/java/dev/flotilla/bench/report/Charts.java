package dev.flotilla.bench.report;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts with XChart, drawn headless (no display needed). */
final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    private Charts() {
    }

    /** A CDF of one latency metric; false (nothing written) when it has no samples. */
    static boolean cdf(Path file, String title, String samples, Histogram histogram) throws IOException {
        if (histogram.getTotalCount() == 0) {
            return false;
        }
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        double total = histogram.getTotalCount();
        long below = 0;
        xs.add(histogram.getMinValue() / 1000.0);
        ys.add(0.0);
        for (HistogramIterationValue v : histogram.recordedValues()) {
            below += v.getCountAtValueIteratedTo();
            xs.add(histogram.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0);
            ys.add(below / total);
        }
        XYChart chart = chart(title, "milliseconds", "fraction of " + samples + " at or below");
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(1.0).setYAxisDecimalPattern("0.00");
        line(chart, title, thin(xs), thin(ys));
        save(chart, file);
        return true;
    }

    /** Completed requests and output tokens per second over the run. */
    static boolean throughput(Path file, List<Timeline.Point> points) throws IOException {
        if (points.isEmpty()) {
            return false;
        }
        XYChart chart = chart("Throughput", "seconds from start", "per second");
        List<Double> t = points.stream().map(Timeline.Point::seconds).toList();
        line(chart, "output tokens/s", t, points.stream().map(Timeline.Point::tokensPerSecond).toList());
        XYSeries requests = line(chart, "completed requests/s", t,
                points.stream().map(Timeline.Point::completedPerSecond).toList());
        requests.setYAxisGroup(1);
        chart.setYAxisGroupTitle(0, "output tokens/s");
        chart.setYAxisGroupTitle(1, "completed requests/s");
        save(chart, file);
        return true;
    }

    /** Requests in flight over the run. */
    static boolean inFlight(Path file, List<Timeline.Point> points) throws IOException {
        if (points.isEmpty()) {
            return false;
        }
        XYChart chart = chart("Requests in flight", "seconds from start", "requests");
        chart.getStyler().setLegendVisible(false);
        line(chart, "in flight", points.stream().map(Timeline.Point::seconds).toList(),
                points.stream().map(Timeline.Point::inFlight).toList());
        save(chart, file);
        return true;
    }

    private static XYChart chart(String title, String x, String y) {
        // AWT must not look for a display: set before the first chart touches AWT
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setXAxisDecimalPattern("#,##0.#");
        return chart;
    }

    private static XYSeries line(XYChart chart, String name, List<Double> xs, List<Double> ys) {
        XYSeries s = chart.addSeries(name, xs, ys);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    /** At most about 2,000 points: every n-th, keeping the last. */
    private static List<Double> thin(List<Double> values) {
        int step = Math.max(1, values.size() / 2000);
        if (step == 1) {
            return values;
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i += step) {
            out.add(values.get(i));
        }
        if ((values.size() - 1) % step != 0) {
            out.add(values.getLast());
        }
        return out;
    }

    private static void save(XYChart chart, Path file) throws IOException {
        // no disk cache: ImageIO's file cache registers a shutdown hook, which fails while Ctrl-C shuts the JVM
        // down and the report of what finished is still being written
        javax.imageio.ImageIO.setUseCache(false);
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        } catch (RuntimeException | Error e) {
            // without fontconfig or any font the JDK fails deep in its font manager ("Fontconfig head is null")
            if (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("font")
                    || e instanceof java.awt.AWTError || e instanceof UnsatisfiedLinkError) {
                throw new IOException("cannot draw " + file.getFileName() + ": the JDK found no usable font ("
                        + e + "); install fontconfig and a font, e.g. apt-get install fontconfig fonts-dejavu-core", e);
            }
            throw e;
        }
    }
}
