package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.model.Weight;

/**
 * One weight matrix resident on the device with its matrix-vector task, for the op-level path
 * (the prefill's matmuls): the weight goes over once (first execution), then each call sends x and
 * brings back out. The task graph is bound to the arrays it was built with, so callers' vectors
 * are staged through {@link #x} and {@link #out}, sized for {@code nTokens} tokens.
 */
final class DeviceMatmul implements AutoCloseable {
    private final float[] x;
    private final float[] out;
    private final CountedPlan plan;

    DeviceMatmul(String graphName, Weight weight, int nTokens, DeviceTraffic traffic) {
        DeviceWeight w = DeviceWeight.of(weight);
        x = new float[nTokens * weight.cols()];
        out = new float[nTokens * weight.rows()];
        CountedGraph g = new CountedGraph(graphName, false).first(w.data()).every(x)
                .task(t -> w.matmulTask(t, "dot", x, out, nTokens))
                .back(out);
        plan = new CountedPlan(traffic, g);
    }

    /** out = W · x for the {@code nTokens} this was built for. */
    void apply(float[] src, float[] dst) {
        System.arraycopy(src, 0, x, 0, x.length);
        plan.execute(0);
        System.arraycopy(out, 0, dst, 0, out.length);
    }

    @Override
    public void close() {
        plan.close();
    }
}
