package dev.windowkv.experiments.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs the {@code windowkv} command in this JVM and keeps what it printed. Tests that need the
 * shipped model call {@link #useCheckoutAsHome()} first, as the launcher script does with
 * {@code -Dwindowkv.home}.
 */
public final class Cli {
    /** What one command left: its exit code and its stdout and stderr. */
    public record Outcome(int exit, String out, String err) {
        /** stderr without the JVM's incubator-module warning, which is not ours. */
        public String errLines() {
            return err.lines().filter(l -> !l.contains("incubator")).reduce("", (a, b) -> a.isEmpty() ? b : a + "\n" + b);
        }
    }

    private Cli() {}

    public static synchronized Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The checkout's root: the folder above the test's working directory that holds the shipped model. */
    public static Path checkoutRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null) {
            if (Files.exists(p.resolve("experiments/models").resolve(DefaultModel.FILE))) return p;
            p = p.getParent();
        }
        throw new IllegalStateException("no experiments/models/" + DefaultModel.FILE + " above " + Path.of("").toAbsolutePath());
    }

    public static Path shippedModel() {
        return checkoutRoot().resolve("experiments/models").resolve(DefaultModel.FILE);
    }

    public static void useCheckoutAsHome() {
        System.setProperty("windowkv.home", checkoutRoot().toString());
    }
}
