package dev.windowkv.engine.backend;

import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q8_0;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Decode attention over a Q8_0 or Q4_0 cache, dequantized inside the kernel, against F32 attention.
 *
 * <p>Two checks. (1) Over the very values the blocks hold (dequantized into an F32 cache), the
 * quantized kernel is the F32 kernel up to float reordering: {@value #REORDER} of the largest output.
 * (2) Against the original F32 values the error is what the quantization allows, no more: with every
 * score moved by at most ε (ε = max over keys of scale · Σ|q|·|k − k̂|) the softmax weights move by at
 * most e^{2ε} − 1 in L1, and the values by at most δV, so |out − out_f32| ≤ δV + (e^{2ε} − 1) · max|v|.
 */
class QuantizedAttentionTest {
    static final double REORDER = 1e-5;
    static final Backend SCALAR = new ScalarBackend();

    @AfterAll
    static void close() {
        SCALAR.close();
    }

    /** GQA 4 query heads over 2 KV heads, headDim 64, 50 prompt tokens plus 3 decoded ones. */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0"})
    void withinTheQuantizationBoundOfF32Attention(KvCache.Dtype dtype) {
        int n = 50, extra = 3, heads = 4, kvHeads = 2, headDim = 64, cap = n + extra;
        SplittableRandom rnd = new SplittableRandom(dtype.ordinal());
        float[] k = gaussian(rnd, (n + extra) * kvHeads * headDim, 1);
        float[] v = gaussian(rnd, (n + extra) * kvHeads * headDim, 1);
        float[] q = gaussian(rnd, heads * headDim, 2); // sharp enough that the weights are far from uniform
        KvCache quant = new KvCache(1, kvHeads, headDim, new int[] {cap}, dtype);
        KvCache f32 = new KvCache(1, kvHeads, headDim, new int[] {cap}, KvCache.Dtype.F32);
        for (KvCache c : new KvCache[] {quant, f32}) {
            c.fillFromPrefill(0, k, v, n, null, SCALAR);
            for (int t = n; t < n + extra; t++) c.append(0, k, t * kvHeads * headDim, v, t * kvHeads * headDim, t);
        }
        // The F32 cache of what the quantized one holds: the same slots, dequantized.
        float[] kHat = dequantize(dtype, quant.keysQuant(0), kvHeads * cap * headDim);
        float[] vHat = dequantize(dtype, quant.valuesQuant(0), kvHeads * cap * headDim);
        KvCache held = new KvCache(1, kvHeads, headDim, new int[] {cap}, KvCache.Dtype.F32);
        float[] kSlots = f32.keysF32(0), vSlots = f32.valuesF32(0);
        held.fillFromPrefill(0, toPrefill(kHat, kvHeads, cap, headDim), toPrefill(vHat, kvHeads, cap, headDim), cap, null, SCALAR);

        for (Backend backend : new Backend[] {SCALAR, Backends.create("threads", 2), Backends.create("vector", 2)}) {
            float[] got = new float[heads * headDim];
            float[] exact = new float[heads * headDim];
            float[] ref = new float[heads * headDim];
            backend.attentionDecode(q, quant, 0, got, heads);
            backend.attentionDecode(q, held, 0, exact, heads);
            backend.attentionDecode(q, f32, 0, ref, heads);
            float max = 0;
            for (float r : ref) max = Math.max(max, Math.abs(r));
            double worst = 0;
            float scale = (float) (1 / Math.sqrt(headDim));
            for (int h = 0; h < heads; h++) {
                int kvh = h / (heads / kvHeads);
                double eps = 0, dv = 0, vmax = 0;
                for (int j = 0; j < cap; j++) {
                    double s = 0;
                    for (int d = 0; d < headDim; d++) {
                        int i = (kvh * cap + j) * headDim + d;
                        s += Math.abs(q[h * headDim + d]) * Math.abs(kSlots[i] - kHat[i]);
                        dv = Math.max(dv, Math.abs(vSlots[i] - vHat[i]));
                        vmax = Math.max(vmax, Math.abs(vSlots[i]));
                    }
                    eps = Math.max(eps, scale * s);
                }
                double bound = dv + Math.expm1(2 * eps) * vmax + REORDER * max;
                for (int d = 0; d < headDim; d++) {
                    int o = h * headDim + d;
                    String at = backend.name() + " " + dtype + " head " + h + " dim " + d;
                    assertEquals(exact[o], got[o], REORDER * max, at + ": the kernel over the blocks vs F32 over their values");
                    assertEquals(ref[o], got[o], bound, at + ": vs F32 attention (bound " + bound + ")");
                    worst = Math.max(worst, Math.abs(ref[o] - got[o]));
                }
            }
            assertTrue(worst > 0, "quantization must change the output at all, or the test proves nothing");
            System.out.printf("%s %s cache: max |attention − F32 attention| = %.2e (largest output %.3f)%n",
                    backend.name(), dtype, worst, max);
            if (backend != SCALAR) backend.close();
        }
    }

    /** Dequantized slots, laid out {@code [kvHead][slot][headDim]} as the cache lays out its blocks. */
    static float[] dequantize(KvCache.Dtype dtype, byte[] blocks, int values) {
        float[] out = new float[values];
        if (dtype == KvCache.Dtype.Q8_0) Q8_0.dequantizeRow(blocks, 0, out, 0, values);
        else Q4_0.dequantizeRow(blocks, 0, out, 0, values);
        return out;
    }

    /** {@code [kvHead][slot][headDim]} to the prefill layout {@code [slot][kvHead][headDim]}. */
    static float[] toPrefill(float[] slots, int kvHeads, int cap, int headDim) {
        float[] out = new float[slots.length];
        for (int h = 0; h < kvHeads; h++) {
            for (int j = 0; j < cap; j++) {
                System.arraycopy(slots, (h * cap + j) * headDim, out, (j * kvHeads + h) * headDim, headDim);
            }
        }
        return out;
    }

    static float[] gaussian(SplittableRandom rnd, int n, double sd) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rnd.nextGaussian() * sd);
        return a;
    }
}
