package dev.windowkv.kernels.tile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q8_0;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The tile values a work-group stages are the weight's dequantized values and the activations, with
 * zeros for rows, tokens and columns past the edges; every (row, token) of a tile is one thread's.
 * (The device kernel's loops are tested on the device, in the engine's tornado tests.)
 */
class MatmulTileTest {
    private static final Random RND = new Random(5);

    @Test
    void everyOutputOfATileIsOneThreads() {
        boolean[] seen = new boolean[MatmulTile.ROWS * MatmulTile.TOKENS];
        for (int lid = 0; lid < MatmulTile.THREADS; lid++) {
            for (int k = 0; k < MatmulTile.TOKENS_PER_THREAD; k++) {
                int i = MatmulTile.token(lid, k) * MatmulTile.ROWS + MatmulTile.row(lid);
                assertEquals(false, seen[i], "thread " + lid + " token " + k);
                seen[i] = true;
            }
        }
        boolean[] slot = new boolean[MatmulTile.ROWS * MatmulTile.COLS];
        for (int e = 0; e < slot.length; e++) {
            assertEquals(false, slot[MatmulTile.wSlot(e)], "element " + e);
            slot[MatmulTile.wSlot(e)] = true;
        }
        assertEquals(4, MatmulTile.TOKENS_PER_THREAD); // TiledMatmul keeps four accumulators
        assertEquals(MatmulTile.ROWS * MatmulTile.COLS, MatmulTile.PER_THREAD * MatmulTile.THREADS);
        assertEquals(MatmulTile.TOKENS * MatmulTile.COLS, MatmulTile.PER_THREAD * MatmulTile.THREADS);
    }

    @Test
    void stagedWeightsAreTheDequantizedRowsWithZerosPastTheEdges() {
        int rows = 20, cols = 64;
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (float) RND.nextGaussian();
        byte[] q8 = new byte[rows * cols / 32 * Q8_0.TYPE_SIZE];
        byte[] q4 = new byte[rows * cols / 32 * Q4_0.TYPE_SIZE];
        byte[] f16 = new byte[rows * cols * 2];
        for (int b = 0; b < rows * cols / 32; b++) {
            Q8_0.quantizeBlock(v, b * 32, q8, b * Q8_0.TYPE_SIZE);
            Q4_0.quantizeBlock(v, b * 32, q4, b * Q4_0.TYPE_SIZE);
        }
        for (int i = 0; i < v.length; i++) {
            short h = Half.f32ToF16(v[i]);
            f16[2 * i] = (byte) h;
            f16[2 * i + 1] = (byte) (h >> 8);
        }
        float[] d8 = new float[v.length], d4 = new float[v.length], d16 = new float[v.length];
        for (int r = 0; r < rows; r++) {
            Q8_0.dequantizeRow(q8, r * cols / 32 * Q8_0.TYPE_SIZE, d8, r * cols, cols);
            Q4_0.dequantizeRow(q4, r * cols / 32 * Q4_0.TYPE_SIZE, d4, r * cols, cols);
            F16.dequantizeRow(f16, r * cols * 2, d16, r * cols, cols);
        }
        for (int r0 = 0; r0 < rows; r0 += MatmulTile.ROWS) {
            for (int step = 0; step < MatmulTile.steps(cols); step++) {
                for (int e = 0; e < MatmulTile.ROWS * MatmulTile.COLS; e++) {
                    int r = r0 + e / MatmulTile.COLS, c = step * MatmulTile.COLS + e % MatmulTile.COLS;
                    boolean in = r < rows;
                    String at = "row " + r + " col " + c;
                    int b8 = cols / 32 * Q8_0.TYPE_SIZE, b4 = cols / 32 * Q4_0.TYPE_SIZE;
                    float s8 = MatmulTile.q8_0Scale(q8, b8, rows, r0, step, e);
                    float s4 = MatmulTile.q4_0Scale(q4, b4, rows, r0, step, e);
                    assertEquals(in ? d8[r * cols + c] : 0f, MatmulTile.q8_0(q8, b8, rows, r0, step, e, s8), "Q8_0 " + at);
                    assertEquals(in ? d4[r * cols + c] : 0f, MatmulTile.q4_0(q4, b4, rows, r0, step, e, s4), "Q4_0 " + at);
                    assertEquals(in ? d16[r * cols + c] : 0f,
                            MatmulTile.f16(f16, cols * 2, rows, cols, r0, step, e), "F16 " + at);
                    assertEquals(in ? v[r * cols + c] : 0f, MatmulTile.f32(v, rows, cols, r0, step, e), "F32 " + at);
                }
            }
        }
    }

    @Test
    void stagedTokensStopAtTheRealCountAndTheLastColumn() {
        int cols = 40, count = 18;
        float[] x = new float[32 * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) RND.nextGaussian();
        for (int t0 = 0; t0 < 32; t0 += MatmulTile.TOKENS) {
            for (int step = 0; step < MatmulTile.steps(cols); step++) {
                for (int e = 0; e < MatmulTile.TOKENS * MatmulTile.COLS; e++) {
                    int t = t0 + e / MatmulTile.COLS, c = step * MatmulTile.COLS + e % MatmulTile.COLS;
                    float expected = t < count && c < cols ? x[t * cols + c] : 0f;
                    assertEquals(expected, MatmulTile.x(x, cols, count, t0, step, e), "token " + t + " col " + c);
                }
            }
        }
        assertEquals(2, MatmulTile.steps(cols));
        assertEquals(2 * 2, MatmulTile.groups(33, 40)); // 2 row tiles × 2 token tiles
    }
}
