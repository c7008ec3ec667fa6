package dev.windowkv.engine.backend;

import dev.windowkv.engine.UserError;

import java.lang.reflect.InvocationTargetException;
import java.util.List;

/** Backends by the name the command line uses. */
public final class Backends {
    private Backends() {}

    public static final List<String> JAVA_NAMES = List.of("scalar", "threads", "vector");

    /**
     * What last changed a backend's results, for a sweep row's identity: rows computed before a kernel
     * changed its numbers are run again, not reused beside new ones. Null where nothing has changed
     * since rows carried identities (their ids stay as they were).
     */
    public static String numerics(String name) {
        return "vector".equals(name)
                ? "2026-12-03b: Q4_0 decode on int8 activations (Q4_0Repacked), Q8_0 repacked (Q8_0Repacked),"
                        + " SwiGLU on the Vector API's EXP"
                : null;
    }

    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }

    public static Backend create(String name, int threads) {
        if (threads <= 0) throw new UserError("--threads must be at least 1 (got " + threads + ")");
        return switch (name) {
            case "scalar" -> new ScalarBackend();
            case "threads" -> new ThreadsBackend(threads);
            case "vector" -> new VectorBackend(threads);
            case "tornado" -> tornado(threads);
            default -> throw new UserError("unknown backend '" + name + "'; choose one of scalar, threads, vector, tornado");
        };
    }

    /** Compiled only by the engine's {@code tornado} Maven profile, which is on when TornadoVM is installed. */
    static final String TORNADO_BACKEND = "dev.windowkv.engine.backend.tornado.TornadoBackend";

    private static Backend tornado(int threads) {
        return startReflectively(TORNADO_BACKEND, threads);
    }

    /**
     * A backend class compiled apart, made with its {@code (int threads)} constructor. However it
     * fails to start (missing classes, a JVM without TornadoVM's flags, no device: TornadoVM throws
     * plain runtime exceptions) the user gets one line and exit code 2, not a stack trace.
     */
    static Backend startReflectively(String className, int threads) {
        Class<?> type;
        try {
            type = Class.forName(className);
        } catch (ClassNotFoundException e) {
            throw new UserError("the tornado backend needs TornadoVM: run ./setup-tornado.sh, export "
                    + "TORNADOVM_HOME as it prints, and rebuild");
        } catch (LinkageError e) {
            throw notOnThisJvm(e);
        }
        try {
            return (Backend) type.getConstructor(int.class).newInstance(threads);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof UserError u) throw u;
            if (e.getCause() instanceof LinkageError l) throw notOnThisJvm(l);
            throw new UserError("TornadoVM did not start (" + firstLine(e.getCause()) + "); run with TORNADOVM_HOME set, "
                    + "through experiments/windowkv or java @$TORNADOVM_HOME/tornado-argfile");
        } catch (LinkageError e) {
            throw notOnThisJvm(e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(className + " has no public (int threads) constructor", e);
        }
    }

    private static UserError notOnThisJvm(LinkageError e) {
        return new UserError("TornadoVM is not on this JVM (" + firstLine(e) + "); run with TORNADOVM_HOME set, "
                + "through experiments/windowkv or java @$TORNADOVM_HOME/tornado-argfile");
    }

    /** TornadoVM's messages can span lines (device lists, hints); the CLI prints one. */
    private static String firstLine(Throwable t) {
        Throwable said = t; // an ExceptionInInitializerError says nothing itself; its cause does
        while (said.getMessage() == null && said.getCause() != null && said.getCause() != said) said = said.getCause();
        return said.toString().lines().findFirst().orElse(said.getClass().getName());
    }
}
