package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.model.Weight;
import dev.windowkv.kernels.quant.F32;
import uk.ac.manchester.tornado.api.TaskGraph;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A weight matrix in the layout its device kernel reads: Q8_0, Q4_0 and F16 as the GGUF blocks
 * themselves ({@code byte[]}), F32 decoded to {@code float[]} on the host, because TornadoVM 5.2.0's
 * OpenCL backend cannot reinterpret bits on the device. F16 needs no half-precision support on the
 * device: {@code Half.f16ToF32} decodes it with integer and float arithmetic.
 */
record DeviceWeight(GGMLType type, Object data, int rows, int cols, int rowBytes) {

    static boolean supports(GGMLType type) {
        return type == GGMLType.Q8_0 || type == GGMLType.Q4_0 || type == GGMLType.F16 || type == GGMLType.F32;
    }

    static DeviceWeight of(Weight w) {
        if (!supports(w.type())) {
            throw new IllegalArgumentException(w.name() + " is " + w.type() + "; the tornado backend runs Q8_0, Q4_0, F16 and F32");
        }
        if (w.bytes() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(w.name() + " is over 2 GiB; a Java array cannot hold it");
        }
        byte[] bytes = new byte[(int) w.bytes()];
        MemorySegment.copy(w.data(), ValueLayout.JAVA_BYTE, 0, bytes, 0, bytes.length);
        int rowBytes = Math.toIntExact(w.rowBytes());
        if (w.type() != GGMLType.F32) {
            return new DeviceWeight(w.type(), bytes, w.rows(), w.cols(), rowBytes);
        }
        float[] floats = new float[w.rows() * w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            F32.dequantizeRow(bytes, r * rowBytes, floats, r * w.cols(), w.cols());
        }
        return new DeviceWeight(w.type(), floats, w.rows(), w.cols(), rowBytes);
    }

    /** Adds the task out[t][r] = W[r] · x[t] for t in [0, nTokens) to {@code g}. */
    void matmulTask(TaskGraph g, String name, float[] x, float[] out, int nTokens) {
        switch (type) {
            case Q8_0 -> g.task(name, MatmulKernels::q8_0, (byte[]) data, x, out, rows, cols, rowBytes, nTokens);
            case Q4_0 -> g.task(name, Q4_0Matmul::matmul, (byte[]) data, x, out, rows, cols, rowBytes, nTokens);
            case F16 -> g.task(name, MatmulKernels::f16, (byte[]) data, x, out, rows, cols, rowBytes, nTokens);
            default -> g.task(name, MatmulKernels::f32, (float[]) data, x, out, rows, cols, rowBytes, nTokens);
        }
    }

    /** Adds the task acc[r] += W[r] · x (one token) to {@code g}. */
    void residualTask(TaskGraph g, String name, float[] x, float[] acc) {
        switch (type) {
            case Q8_0 -> g.task(name, MatmulKernels::q8_0Residual, (byte[]) data, x, acc, rows, cols, rowBytes);
            case Q4_0 -> g.task(name, Q4_0Matmul::residual, (byte[]) data, x, acc, rows, cols, rowBytes);
            case F16 -> g.task(name, MatmulKernels::f16Residual, (byte[]) data, x, acc, rows, cols, rowBytes);
            default -> g.task(name, MatmulKernels::f32Residual, (float[]) data, x, acc, rows, cols, rowBytes);
        }
    }


    /** Adds the task x = row {@code step[1]} of this (embedding) matrix to {@code g}. */
    void embeddingTask(TaskGraph g, String name, int[] step, float[] x) {
        switch (type) {
            case Q8_0 -> g.task(name, LayerKernels::embeddingQ8_0, (byte[]) data, step, x, cols, rowBytes);
            case Q4_0 -> g.task(name, LayerKernels::embeddingQ4_0, (byte[]) data, step, x, cols, rowBytes);
            case F16 -> g.task(name, LayerKernels::embeddingF16, (byte[]) data, step, x, cols, rowBytes);
            default -> g.task(name, LayerKernels::embeddingF32, (float[]) data, step, x, cols);
        }
    }
}
