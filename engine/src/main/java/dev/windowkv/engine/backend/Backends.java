package dev.windowkv.engine.backend;

import dev.windowkv.engine.UserError;

import java.lang.reflect.InvocationTargetException;
import java.util.List;

/** Backends by the name the command line uses. */
public final class Backends {
    private Backends() {}

    public static final List<String> JAVA_NAMES = List.of("scalar", "threads", "vector");

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
        Class<?> type;
        try {
            type = Class.forName(TORNADO_BACKEND);
        } catch (ClassNotFoundException e) {
            throw new UserError("the tornado backend needs TornadoVM: run ./setup-tornado.sh, export "
                    + "TORNADOVM_HOME as it prints, and rebuild");
        }
        try {
            return (Backend) type.getConstructor(int.class).newInstance(threads);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new UserError("TornadoVM did not start (" + e.getCause() + "); run with TORNADOVM_HOME set, "
                    + "through experiments/windowkv or java @$TORNADOVM_HOME/tornado-argfile");
        } catch (LinkageError e) {
            throw new UserError("TornadoVM is not on this JVM (" + e + "); run with TORNADOVM_HOME set, "
                    + "through experiments/windowkv or java @$TORNADOVM_HOME/tornado-argfile");
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(TORNADO_BACKEND + " has no public (int threads) constructor", e);
        }
    }
}
