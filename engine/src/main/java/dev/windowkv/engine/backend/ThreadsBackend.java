package dev.windowkv.engine.backend;

/** The reference kernels, unchanged, spread over a team of threads. */
public final class ThreadsBackend extends JavaBackend {
    public ThreadsBackend(int threads) {
        super(threads);
    }

    @Override
    public String name() {
        return "threads";
    }
}
