package dev.windowkv.experiments.sweep;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.util.Locale;

/**
 * How a sweep shows its progress: a live bar on a terminal, or, for cluster jobs whose output goes
 * to a log file ({@code --no-progress}), one line every {@code every} rows with the rows done, the
 * rate and the time left.
 */
public final class ProgressLog implements AutoCloseable {
    /** A bar, or a line every {@code every} rows (0: silent). */
    public record Mode(boolean bar, int every) {
        public static final Mode BAR = new Mode(true, 0);
        public static final int DEFAULT_EVERY = 100;

        public static Mode quiet() {
            return new Mode(false, 0);
        }

        public static Mode lines(int every) {
            return new Mode(false, every);
        }
    }

    private final String name;
    private final long total;
    private final long startDone;
    private final Mode mode;
    private final ProgressBar bar;
    private final PrintStream out;
    private final long t0 = System.nanoTime();
    private long done;

    public ProgressLog(String name, long total, long done, Mode mode) {
        this(name, total, done, mode, System.err);
    }

    ProgressLog(String name, long total, long done, Mode mode, PrintStream out) {
        this.name = name;
        this.total = total;
        this.startDone = done;
        this.done = done;
        this.mode = mode;
        this.out = out;
        this.bar = mode.bar() ? new ProgressBarBuilder().setTaskName(name).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).setMaxRenderedLength(100)
                .continuousUpdate().build() : null;
        if (bar != null) bar.stepTo(done);
        if (mode.every() > 0) out.println(line());
    }

    /** One more row written. */
    public void step() {
        done++;
        if (bar != null) bar.step();
        if (mode.every() > 0 && ((done - startDone) % mode.every() == 0 || done == total)) out.println(line());
    }

    /** e.g. {@code sweep default: 300/3000 rows (10.0%), 5.2 rows/s, ETA 8m40s}. */
    String line() {
        double seconds = (System.nanoTime() - t0) / 1e9;
        long fresh = done - startDone;
        double rate = seconds > 0 ? fresh / seconds : 0;
        String eta = fresh == 0 ? "ETA unknown" : "ETA " + duration((total - done) / rate);
        return String.format(Locale.ROOT, "sweep %s: %d/%d rows (%.1f%%), %.2f rows/s, %s", name, done, total,
                total == 0 ? 100.0 : 100.0 * done / total, rate, done == total ? "done" : eta);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s >= 3600) return (s / 3600) + "h" + String.format(Locale.ROOT, "%02dm", (s % 3600) / 60);
        if (s >= 60) return (s / 60) + "m" + String.format(Locale.ROOT, "%02ds", s % 60);
        return s + "s";
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
