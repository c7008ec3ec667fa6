package dev.windowkv.engine.kvcache;

import dev.windowkv.kernels.kv.MaxPool1d;
import dev.windowkv.kernels.kv.ObservationScores;
import dev.windowkv.kernels.kv.TopKPerHead;
import dev.windowkv.kernels.kv.WindowPooling;
import dev.windowkv.kernels.kv.WindowRanking;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compressor's device selection ({@link Compressor#deviceSelection}, {@link Compressor#selectFromDevice})
 * keeps the tokens its host selection keeps, on random prompts. The device is played here by the
 * kernel bodies the tornado backend's prefill plan runs ({@code BucketScoringKernels},
 * {@code SelectionKernels}), item by item, so this holds without TornadoVM; TornadoBackendTest runs
 * them on a device.
 */
class DeviceSelectionTest {
    @Test
    void everyPolicyWithADeviceSelectionKeepsTheHostsTokens() {
        Random r = new Random(20261202);
        int checked = 0;
        for (int trial = 0; trial < 120; trial++) {
            PolicyPropertiesTest.Model m = PolicyPropertiesTest.randomModel(r);
            for (KvPolicy p : PolicyPropertiesTest.randomPolicies(r, m.nLayers())) {
                TaskType hint = r.nextBoolean() ? TaskType.QA : TaskType.AGGREGATION;
                Compressor host = p.start(m.nLayers(), m.nHeads(), m.nKvHeads(), m.headDim(), m.n(), hint);
                Compressor device = p.start(m.nLayers(), m.nHeads(), m.nKvHeads(), m.headDim(), m.n(), hint);
                for (int l = 0; l < m.nLayers(); l++) {
                    DeviceSelection s = device.deviceSelection(l, m.n());
                    String where = "trial " + trial + " " + p + " layer " + l + " n " + m.n() + " " + s;
                    if (s == null) {
                        assertTrue(p instanceof AdaKvPolicy || p instanceof ChunkKvPolicy || p instanceof ThinKPolicy, where);
                        break;
                    }
                    KeptTokens expected = host.select(m.layer(l, TestBackends.SEQUENTIAL));
                    KeptTokens actual = device.selectFromDevice(l, m.n(), m.nKvHeads(), run(s, m, l));
                    assertEquals(expected.keepsAll(), actual.keepsAll(), where);
                    for (int h = 0; h < m.nKvHeads(); h++) {
                        assertArrayEquals(expected.indices(h), actual.indices(h), where + ", KV head " + h);
                    }
                    if (s.kind() != DeviceSelection.Kind.NO_SCORES) checked++;
                }
            }
        }
        assertTrue(checked > 200, "only " + checked + " layers selected from scores");
    }

    @Test
    void policiesWithoutOneSayNull() {
        assertNull(new ChunkKvPolicy(24, 4, 8, 1).start(2, 4, 2, 8, 100, TaskType.QA).deviceSelection(0, 100));
        assertEquals(DeviceSelection.Kind.NO_SCORES,
                new SnapKvPolicy(24, 4, 5).start(2, 4, 2, 8, 20, TaskType.QA).deviceSelection(0, 20).kind());
    }

    /** What the device computes for {@code s} from layer l's queries and keys. */
    private static int[] run(DeviceSelection s, PolicyPropertiesTest.Model m, int l) {
        int n = m.n(), nHeads = m.nHeads(), nKvHeads = m.nKvHeads(), headDim = m.headDim();
        float[] q = m.q()[l], k = m.k()[l];
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int review = s.review();
        switch (s.kind()) {
            case NO_SCORES -> {
                return new int[0];
            }
            case TOP_K -> {
                float[] a = scores(q, k, n, nHeads, nKvHeads, headDim, s.firstQuery(), s.causalFrom(), review, scale);
                float[] pooled = new float[a.length];
                for (int i = 0; i < a.length; i++) MaxPool1d.maxPool(i, a, pooled, review, s.poolingKernel());
                float[] perKv = new float[nKvHeads * review];
                for (int i = 0; i < perKv.length; i++) ObservationScores.sumPerKvHead(i, pooled, nHeads, nKvHeads, review, perKv);
                int[] place = new int[perKv.length];
                for (int i = 0; i < place.length; i++) TopKPerHead.place(i / review, i % review, perKv, review, place);
                int[] kept = new int[nKvHeads * (s.keep() + n - review)];
                for (int i = 0; i < nKvHeads * n; i++) TopKPerHead.emit(i / n, i % n, place, review, s.keep(), n, kept);
                return kept;
            }
            case WINDOW_ORDER -> {
                float[] a = scores(q, k, n, nHeads, nKvHeads, headDim, s.firstQuery(), s.causalFrom(), review, scale);
                int nWindows = Math.ceilDiv(review, s.windowSize());
                float[] score = new float[nWindows];
                for (int w = 0; w < nWindows; w++) {
                    if (s.topM() > 0) WindowPooling.max(w, a, nHeads, review, review, s.windowSize(), s.topM(), score);
                    else WindowPooling.average(w, a, nHeads, review, review, s.windowSize(), score);
                }
                int[] order = new int[nWindows];
                for (int w = 0; w < nWindows; w++) WindowRanking.place(w, score, nWindows, order);
                return order;
            }
            default -> throw new AssertionError(s);
        }
    }

    private static float[] scores(float[] q, float[] k, int n, int nHeads, int nKvHeads, int headDim, int firstQuery,
                                  int causalFrom, int review, float scale) {
        int rows = nHeads * (n - firstQuery);
        float[] rowMax = new float[rows], rowSum = new float[rows], a = new float[nHeads * review];
        for (int i = 0; i < rows; i++) {
            ObservationScores.rowStats(i, q, k, n, nHeads, nKvHeads, headDim, firstQuery, causalFrom, scale, rowMax, rowSum);
        }
        for (int i = 0; i < a.length; i++) {
            ObservationScores.accumulate(i, q, k, n, nHeads, nKvHeads, headDim, firstQuery, causalFrom, scale, rowMax,
                    rowSum, review, a);
        }
        return a;
    }
}
