package dev.windowkv.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;

/**
 * The staging block of a chunked prefill: rows written chunk by chunk come back in the prompt's
 * layout, and the block itself is a cache layer of capacity n ({@code [kvHead][n][headDim]}), which
 * the backends' attention reads in place.
 */
class PromptKvTest {
    private static final int N = 7, KV_HEADS = 3, HEAD_DIM = 4, KV_DIM = KV_HEADS * HEAD_DIM;

    /** Key element d of token t, KV head h (values: its negation), distinct everywhere. */
    private static float key(int t, int h, int d) {
        return 1 + t * 100 + h * 10 + d;
    }

    private static float[] rows(int t0, int m, float sign) {
        float[] r = new float[m * KV_DIM];
        for (int t = 0; t < m; t++) {
            for (int h = 0; h < KV_HEADS; h++) {
                for (int d = 0; d < HEAD_DIM; d++) r[(t * KV_HEADS + h) * HEAD_DIM + d] = sign * key(t0 + t, h, d);
            }
        }
        return r;
    }

    @Test
    void rowsWrittenInChunksComeBackInThePromptsLayoutAndSitHeadMajorInTheBlock() {
        try (PromptKv kv = new PromptKv(2, N, KV_HEADS, HEAD_DIM)) {
            for (int t0 = 0; t0 < N; t0 += 3) {
                int m = Math.min(3, N - t0);
                kv.write(1, t0, m, rows(t0, m, 1), rows(t0, m, -1));
            }
            float[] k = new float[N * KV_DIM], v = new float[N * KV_DIM];
            kv.keys(1, N, k);
            kv.values(1, N, v);
            assertArrayEquals(rows(0, N, 1), k);
            assertArrayEquals(rows(0, N, -1), v);
            float[] firstFive = new float[5 * KV_DIM];
            kv.keys(1, 5, firstFive);
            assertArrayEquals(rows(0, 5, 1), firstFive);
            for (int h = 0; h < KV_HEADS; h++) {
                for (int t = 0; t < N; t++) {
                    for (int d = 0; d < HEAD_DIM; d++) {
                        long at = ((long) (h * N + t) * HEAD_DIM + d) * Float.BYTES;
                        assertEquals(key(t, h, d), kv.keys(1).get(ValueLayout.JAVA_FLOAT, at), "key " + t + "/" + h + "/" + d);
                        assertEquals(-key(t, h, d), kv.values(1).get(ValueLayout.JAVA_FLOAT, at), "value " + t + "/" + h + "/" + d);
                    }
                }
            }
            assertEquals(2L * 2 * N * KV_DIM * Float.BYTES, kv.bytes());
            kv.free(1);
            assertThrows(IllegalStateException.class, () -> kv.keys(1));
        }
    }
}
