package dev.windowkv.engine.backend;

/** The reference: every kernel on one thread, exactly as written in {@code tornado-kernels}. */
public final class ScalarBackend extends JavaBackend {
    public ScalarBackend() {
        super(1);
    }

    @Override
    public String name() {
        return "scalar";
    }
}
