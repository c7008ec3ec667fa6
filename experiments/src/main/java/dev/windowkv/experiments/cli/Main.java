package dev.windowkv.experiments.cli;

import dev.windowkv.engine.UserError;
import dev.windowkv.plots.PlotInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.util.List;

/** The {@code windowkv} command line. User mistakes end in one line on stderr and exit code 2. */
@Command(name = "windowkv", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "WindowKV and baseline KV-cache compression for GGUF models on the JVM.",
        subcommands = {GenerateCommand.class, SweepCommand.class, MergeCommand.class, PlotCommand.class,
                MakeModelCommand.class, TrainingDataCommand.class, ImportWeightsCommand.class, TrainingCurveCommand.class,
                TrainClassifierCommand.class, TaskCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        // -V on a subcommand too (windowkv generate -V), not only on windowkv itself.
        for (CommandLine sub : cli.getSubcommands().values()) sub.getCommandSpec().versionProvider(new Version());
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UserError) {
                cmd.getErr().println("windowkv: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof PlotInputException) {
                cmd.getErr().println("windowkv: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof UncheckedIOException io) {
                cmd.getErr().println("windowkv: " + describe(io));
                return 2;
            }
            throw ex;
        });
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("windowkv: " + ex.getMessage() + suggestion(ex) + " (see --help)");
            return 2;
        });
        return cli.execute(args);
    }

    /** "; did you mean --budget?" for a mistyped option or subcommand, from picocli's nearest names. */
    static String suggestion(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            List<String> near = u.getSuggestions();
            if (!near.isEmpty()) return "; did you mean " + near.getFirst() + "?";
        }
        return "";
    }

    /** What was being done (the wrapper's message) and what went wrong (the cause's), on one line. */
    static String describe(UncheckedIOException io) {
        IOException cause = io.getCause();
        String why = cause instanceof AccessDeniedException ? "permission denied: " + cause.getMessage() : cause.getMessage();
        boolean bare = io.getMessage() == null || io.getMessage().equals(cause.toString());
        return bare ? why : io.getMessage() + " (" + why + ")";
    }
}
