package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.model.Weight;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

import java.lang.foreign.ValueLayout;

/**
 * One weight matrix resident on the device with its matrix-vector task: the weight bytes go over
 * once (first execution), then each call sends x and brings back out. The task graph is bound to
 * the arrays it was built with, so callers' vectors are staged through {@link #x} and {@link #out}.
 */
final class DeviceMatmul implements AutoCloseable {
    private final byte[] w;
    private final float[] x;
    private final float[] out;
    private final TornadoExecutionPlan plan;

    DeviceMatmul(String graphName, Weight weight) {
        long bytes = weight.bytes();
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(weight.name() + " is over 2 GiB; a byte[] cannot hold it");
        }
        w = new byte[(int) bytes];
        java.lang.foreign.MemorySegment.copy(weight.data(), ValueLayout.JAVA_BYTE, 0, w, 0, w.length);
        x = new float[weight.cols()];
        out = new float[weight.rows()];
        int rows = weight.rows();
        int cols = weight.cols();
        int rowBytes = Math.toIntExact(weight.rowBytes());
        TaskGraph g = new TaskGraph(graphName)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, w)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, x);
        if (weight.type() == GGMLType.Q8_0) {
            g.task("dot", MatmulKernels::q8_0, w, x, out, rows, cols, rowBytes);
        } else {
            g.task("dot", MatmulKernels::f32, w, x, out, rows, cols, rowBytes);
        }
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        ImmutableTaskGraph snapshot = g.snapshot();
        plan = new TornadoExecutionPlan(snapshot);
    }

    /**
     * Q8_0 only: F32.dot reads floats through Bytes.f32, a bit cast TornadoVM 5.2.0's OpenCL backend
     * cannot compile (emitReinterpret is unimplemented), so F32 weights stay on the host.
     */
    static boolean supports(GGMLType type) {
        return type == GGMLType.Q8_0;
    }

    /** dst[dstOff .. dstOff + rows) = W · src[srcOff .. srcOff + cols). */
    void apply(float[] src, int srcOff, float[] dst, int dstOff) {
        System.arraycopy(src, srcOff, x, 0, x.length);
        plan.execute();
        System.arraycopy(out, 0, dst, dstOff, out.length);
    }

    @Override
    public void close() {
        try {
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("could not free device memory", e);
        }
    }
}
