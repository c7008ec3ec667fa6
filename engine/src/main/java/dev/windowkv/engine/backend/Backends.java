package dev.windowkv.engine.backend;

import dev.windowkv.engine.UserError;

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
            case "tornado" -> throw new UserError("the tornado backend needs TornadoVM: run ./setup-tornado.sh, export "
                    + "TORNADOVM_HOME as it prints, and rebuild");
            default -> throw new UserError("unknown backend '" + name + "'; choose one of scalar, threads, vector, tornado");
        };
    }
}
