package dev.windowkv.engine.backend.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.model.Weight;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The packed prefill GEMM against the exact (double) dot of the reference-dequantized rows, held to
 * SimdMatmulTest's bound, over ragged edges: a row range that is no multiple of the microkernel's
 * rows, token counts that leave a partial tile, and rows with a short last K segment.
 */
class PackedGemmTest {
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q5_K", "Q6_K"})
    void multiplyMatchesTheExactDotOverRaggedEdges(GGMLType t) {
        SplittableRandom rnd = new SplittableRandom(300 + t.id);
        // Two full K segments and a short third one (one block, or 37 values for F32).
        int n = 2 * PackedGemm.KC + (t.blockSize == 1 ? 37 : t.blockSize);
        int rows = 29, outStride = 31, rowStart = 3, rowEnd = 3 + 19;
        try (Arena arena = Arena.ofConfined()) {
            byte[] w = RandomBlocks.rows(t, rows, n, rnd);
            MemorySegment seg = SimdMatmulTest.offHeap(w, arena).asSlice(SimdMatmulTest.PAD);
            long rowBytes = t.byteSize(n);
            for (int nTokens : new int[] {1, PackedGemm.NR - 1, PackedGemm.NR + 5, 2 * PackedGemm.NR}) {
                int tok0 = 2;
                int tokEnd = tok0 + nTokens;
                float[] x = RandomBlocks.activations(tokEnd * n, rnd);
                int tiles = (nTokens + PackedGemm.NR - 1) / PackedGemm.NR;
                float[] xp = new float[PackedGemm.packedSize(tiles, n)];
                Arrays.fill(xp, Float.NaN); // packTile must overwrite every float a tile reads
                for (int j = 0; j < tiles; j++) {
                    PackedGemm.packTile(x, n, tok0 + j * PackedGemm.NR, tokEnd, xp, j * PackedGemm.NR * n);
                }
                float[] out = new float[tokEnd * outStride];
                Arrays.fill(out, Float.NaN);
                PackedGemm.multiply(t, seg, rowBytes, rowStart, rowEnd, xp, tok0, tokEnd, n, out, outStride);
                float[] ref = new float[n];
                for (int tok = 0; tok < tokEnd; tok++) {
                    for (int r = 0; r < outStride; r++) {
                        String where = t + " tokens=" + nTokens + " tok " + tok + " row " + r;
                        float got = out[tok * outStride + r];
                        if (tok < tok0 || r < rowStart || r >= rowEnd) {
                            assertTrue(Float.isNaN(got), where + " written outside its range");
                            continue;
                        }
                        RandomBlocks.scalarDequantizeRow(t, w, (int) (r * rowBytes), ref, 0, n);
                        double[] e = SimdMatmulTest.exact(ref, x, tok * n);
                        assertEquals(e[0], got, e[1], where);
                    }
                }
            }
        }
    }

    /**
     * Prefill results must not depend on the thread count or on where token blocks fall: every output
     * is the same chain of FMAs. A token's outputs from a long call equal those of a short call that
     * holds only the first tokens, bit for bit.
     */
    @Test
    void vectorMatmulIsIndependentOfThreadsAndTokenBlocks() {
        SplittableRandom rnd = new SplittableRandom(41);
        GGMLType t = GGMLType.Q4_0;
        int rows = 150, n = 768, nTokens = PackedGemm.NR * PackedGemm.TILES_PER_BLOCK * 2 + 7;
        try (Arena arena = Arena.ofShared()) {
            byte[] raw = RandomBlocks.rows(t, rows, n, rnd);
            MemorySegment seg = arena.allocate(raw.length);
            MemorySegment.copy(MemorySegment.ofArray(raw), 0, seg, 0, raw.length);
            Weight w = new Weight("w", t, seg, rows, n, t.byteSize(n));
            float[] x = RandomBlocks.activations(nTokens * n, rnd);
            float[] one = run(1, w, x, nTokens);
            float[] three = run(3, w, x, nTokens);
            int few = PackedGemm.NR + 1;
            float[] prefix = run(2, w, Arrays.copyOf(x, few * n), few);
            for (int i = 0; i < one.length; i++) {
                assertEquals(Float.floatToRawIntBits(one[i]), Float.floatToRawIntBits(three[i]), "output " + i + ", 1 vs 3 threads");
            }
            for (int i = 0; i < prefix.length; i++) {
                assertEquals(Float.floatToRawIntBits(one[i]), Float.floatToRawIntBits(prefix[i]), "output " + i + ", long vs short call");
            }
        }
    }

    private static float[] run(int threads, Weight w, float[] x, int nTokens) {
        float[] out = new float[nTokens * w.rows()];
        try (Backend b = Backends.create("vector", threads)) {
            b.matmul(w, x, nTokens, out);
        }
        return out;
    }
}
