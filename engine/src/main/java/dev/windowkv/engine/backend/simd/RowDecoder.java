package dev.windowkv.engine.backend.simd;

import dev.windowkv.engine.gguf.GGMLType;
import java.lang.foreign.MemorySegment;

/**
 * How the prefill products turn a weight's stored row into f32: GGUF blocks in column order, or a
 * repacked layout ({@link Q4_0Repacked}, {@link Q8_0Repacked}) in its own order, which the activations
 * then follow.
 */
@FunctionalInterface
public interface RowDecoder {
    /** Storage positions [k0, k0 + len) of the row at byte rowOff of w, as f32 into out[outOff ..]. */
    void dequantize(MemorySegment w, long rowOff, int k0, float[] out, int outOff, int len);

    static RowDecoder gguf(GGMLType t) {
        return (w, rowOff, k0, out, outOff, len) -> SimdMatmul.dequantizeRow(t, w, rowOff + t.byteSize(k0), out, outOff, len);
    }

    static RowDecoder q4_0Repacked(int cols) {
        return (w, rowOff, k0, out, outOff, len) -> Q4_0Repacked.dequantize(w, rowOff, cols, k0, out, outOff, len);
    }

    static RowDecoder q8_0Repacked(int cols) {
        return (w, rowOff, k0, out, outOff, len) -> Q8_0Repacked.dequantize(w, rowOff, cols, k0, out, outOff, len);
    }
}
