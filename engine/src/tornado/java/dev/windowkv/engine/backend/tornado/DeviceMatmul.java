package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.model.Weight;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

/**
 * One weight matrix resident on the device with its matrix-vector task, for the op-level path
 * (the prefill's matmuls): the weight goes over once (first execution), then each call sends x and
 * brings back out. The task graph is bound to the arrays it was built with, so callers' vectors
 * are staged through {@link #x} and {@link #out}, sized for {@code nTokens} tokens.
 */
final class DeviceMatmul implements AutoCloseable {
    private final float[] x;
    private final float[] out;
    private final TornadoExecutionPlan plan;

    DeviceMatmul(String graphName, Weight weight, int nTokens) {
        DeviceWeight w = DeviceWeight.of(weight);
        x = new float[nTokens * weight.cols()];
        out = new float[nTokens * weight.rows()];
        TaskGraph g = new TaskGraph(graphName)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, w.data())
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, x);
        w.matmulTask(g, "dot", x, out, nTokens);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        plan = new TornadoExecutionPlan(g.snapshot());
    }

    /** out = W · x for the {@code nTokens} this was built for. */
    void apply(float[] src, float[] dst) {
        System.arraycopy(src, 0, x, 0, x.length);
        plan.execute();
        System.arraycopy(out, 0, dst, 0, out.length);
    }

    @Override
    public void close() {
        DevicePlans.close(plan);
    }
}
