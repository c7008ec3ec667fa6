package dev.windowkv.engine.backend;

import java.util.function.IntConsumer;

/**
 * Runs the kernels of {@code tornado-kernels}. Every kernel body is written per work item (a row,
 * a head, a window); a backend decides how the work items are spread (one thread, many threads,
 * SIMD lanes, or a TornadoVM device) and must give the scalar reference's results within the
 * tolerances the backend tests state.
 */
public interface Backend extends AutoCloseable {
    /** The name used on the command line ({@code --backend}). */
    String name();

    /** Threads this backend computes with. */
    int threads();

    /** Runs {@code body} for every work item in [0, n); items must be independent. */
    void parallelFor(int n, IntConsumer body);

    @Override
    default void close() {}
}
