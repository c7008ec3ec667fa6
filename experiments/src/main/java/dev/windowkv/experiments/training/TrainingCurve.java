package dev.windowkv.experiments.training;

import dev.windowkv.engine.UserError;
import dev.windowkv.plots.ChartFiles;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The training curve of a train.py run, from its {@code loss.csv}: the loss on answer tokens, and
 * the accuracies (answer tokens and copied tokens under teacher forcing; whole held-out answers at
 * 256, 1,024 and 2,048 tokens, scored at checkpoints), against tokens trained on. The copy and
 * 256-token columns came with the dense copy tasks; a loss.csv without them draws without them.
 */
public final class TrainingCurve {
    private TrainingCurve() {
    }

    /** One row of loss.csv; NaN where the row has no value (held-out accuracy between checkpoints). */
    record Point(long step, double millionTokens, double loss, double answerLoss, double answerTokenAccuracy,
                 double heldOut1024, double heldOut2048, double copyTokenAccuracy, double heldOut256) {
    }

    static List<Point> read(Path lossCsv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(lossCsv);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + lossCsv, e);
        }
        if (lines.isEmpty() || !lines.getFirst().startsWith("step,tokens,")) {
            throw new UserError(lossCsv + " is not a train.py loss.csv (its header should start with 'step,tokens,')");
        }
        List<Point> points = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            String[] f = line.split(",", -1);
            if (f.length < 10) continue;
            long step;
            try {
                step = Long.parseLong(f[0]);
            } catch (NumberFormatException e) {
                throw new UserError(lossCsv + " line " + (i + 1) + " does not start with a step number: '" + line + "'");
            }
            // A run resumed from a checkpoint logs again from the checkpoint's step: its rows replace
            // the ones the stopped run wrote after that step.
            points.removeIf(p -> p.step() > step || (p.step() == step && !Double.isNaN(p.answerLoss()) && !f[6].isBlank()));
            try {
                points.add(new Point(step, Double.parseDouble(f[1]) / 1e6, num(f[5]), num(f[6]), num(f[7]), num(f[8]),
                        num(f[9]), f.length > 10 ? num(f[10]) : Double.NaN, f.length > 11 ? num(f[11]) : Double.NaN));
            } catch (NumberFormatException e) {
                throw new UserError(lossCsv + " line " + (i + 1) + " has a field that is not a number: '" + line + "'");
            }
        }
        return points;
    }

    /** Blank, or NumPy's "nan" (a window of steps without answers, e.g. an induction warm-up), is NaN. */
    private static double num(String s) {
        return s.isBlank() || s.equalsIgnoreCase("nan") ? Double.NaN : Double.parseDouble(s);
    }

    /** Writes {@code training-loss.{png,svg}} and {@code training-accuracy.{png,svg}} into {@code dir}. */
    public static List<Path> write(Path lossCsv, Path dir) {
        List<Point> points = read(lossCsv);
        if (points.stream().allMatch(p -> Double.isNaN(p.loss()) && Double.isNaN(p.answerLoss()))) {
            throw new UserError(lossCsv + " has no training rows yet; draw it after the run's first log line");
        }
        XYChart loss = chart("Trained model: loss", "loss (nats)");
        series(loss, "all weighted tokens (answers, probes, repeats)", points, Point::loss);
        series(loss, "answer tokens", points, Point::answerLoss);
        XYChart acc = chart("Trained model: retrieval accuracy", "accuracy");
        series(acc, "answer tokens (training batches, teacher-forced)", points, Point::answerTokenAccuracy);
        series(acc, "copied tokens (training batches, teacher-forced)", points, Point::copyTokenAccuracy);
        series(acc, "whole answers, held-out 256 tokens", points, Point::heldOut256);
        series(acc, "whole answers, held-out 1,024 tokens", points, Point::heldOut1024);
        series(acc, "whole answers, held-out 2,048 tokens", points, Point::heldOut2048);
        acc.getStyler().setYAxisMin(0.0).setYAxisMax(1.0);
        List<Path> out = new ArrayList<>(ChartFiles.writeFigure(loss, dir, "training-loss"));
        out.addAll(ChartFiles.writeFigure(acc, dir, "training-accuracy"));
        return out;
    }

    private static XYChart chart(String title, String yTitle) {
        XYChart c = new XYChartBuilder().width(960).height(560).title(title)
                .xAxisTitle("tokens trained on (millions)").yAxisTitle(yTitle).build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE).setMarkerSize(5);
        return c;
    }

    private static void series(XYChart c, String name, List<Point> points, java.util.function.ToDoubleFunction<Point> y) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (Point p : points) {
            double v = y.applyAsDouble(p);
            if (!Double.isNaN(v)) {
                xs.add(p.millionTokens());
                ys.add(v);
            }
        }
        if (!xs.isEmpty()) c.addSeries(name, xs, ys).setMarker(xs.size() > 40 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
    }
}
