package dev.windowkv.engine.backend.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/**
 * Selection on the device against the host's rules on random scores with many ties: the baselines'
 * top-k per KV head (the host's {@code TopK.topPlusRecent}: a stable descending sort, the best
 * {@code keep} in prompt order, then the recent tokens) and WindowKV's kept tokens from a window
 * order (the policy's loop). One compiled graph runs two prompt lengths of its bucket.
 */
class SelectionKernelsTest {
    private static final Random RND = new Random(8);

    /** TopK.topPlusRecent's rows, written out as the host does them. */
    private static int[] hostTopPlusRecent(float[] s, int nKvHeads, int review, int keep, int n) {
        int[] out = new int[nKvHeads * (keep + n - review)];
        int o = 0;
        for (int h = 0; h < nKvHeads; h++) {
            int off = h * review;
            int[] best = IntStream.range(0, review).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> -s[off + i]).thenComparingInt(i -> i))
                    .limit(keep).mapToInt(Integer::intValue).sorted().toArray();
            for (int i : best) out[o++] = i;
            for (int t = review; t < n; t++) out[o++] = t;
        }
        return out;
    }

    @Test
    void topKPerKvHeadKeepsTheHostsIndicesTiesIncluded() {
        DeviceTests.requireBailoutOff();
        int nKvHeads = 3, maxReview = 60, maxN = 70;
        float[] scores = new float[nKvHeads * maxReview];
        int[] sel = new int[3], place = new int[nKvHeads * maxReview], kept = new int[nKvHeads * maxN], count = new int[1];
        TaskGraph g = new TaskGraph("topk").transferToDevice(DataTransferMode.EVERY_EXECUTION, scores, sel)
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, place);
        SelectionKernels.topKTasks(g, "topk", scores, sel, nKvHeads, maxReview, maxN, place, kept, count);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, kept, count);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            for (int[] shape : new int[][] {{60, 20, 70}, {45, 13, 52}}) {
                int review = shape[0], keep = shape[1], n = shape[2];
                Arrays.fill(scores, 0f);
                for (int i = 0; i < nKvHeads * review; i++) scores[i] = RND.nextInt(8) / 8f; // many ties
                System.arraycopy(shape, 0, sel, 0, 3);
                plan.execute();
                int[] expected = hostTopPlusRecent(scores, nKvHeads, review, keep, n);
                assertEquals(keep + n - review, count[0], "kept count");
                assertArrayEquals(expected, Arrays.copyOf(kept, expected.length), "review " + review + ", keep " + keep);
            }
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The policy's loop (WindowKvPolicy.select): the kept windows in order, each in prompt order, then the suffix. */
    private static int[] hostWindowKept(int[] order, int keptWindows, int windowSize, int review, int n) {
        int[] out = new int[n];
        int t = 0;
        for (int p = 0; p < keptWindows; p++) {
            for (int j = order[p] * windowSize; j < Math.min((order[p] + 1) * windowSize, review); j++) out[t++] = j;
        }
        for (int j = review; j < n; j++) out[t++] = j;
        return Arrays.copyOf(out, t);
    }

    @Test
    void windowKeptTokensAreThePolicysForEveryKvHead() {
        DeviceTests.requireBailoutOff();
        int nKvHeads = 2, windowSize = 8, maxWindows = 8, maxN = 90;
        int[] order = new int[maxWindows], sel = new int[3], kept = new int[nKvHeads * maxN], count = new int[1];
        TaskGraph g = new TaskGraph("windows").transferToDevice(DataTransferMode.EVERY_EXECUTION, order, sel);
        SelectionKernels.windowKeptTask(g, "kept", order, sel, windowSize, nKvHeads, maxWindows, kept, count);
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, kept, count);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            // review 61: 8 windows, the last one 5 tokens long; kept once before others, once dropped.
            for (int[] shape : new int[][] {{5, 61, 80}, {3, 61, 70}, {4, 30, 40}}) {
                int keptWindows = shape[0], review = shape[1], n = shape[2];
                int nWindows = Math.ceilDiv(review, windowSize);
                int[] perm = IntStream.range(0, nWindows).boxed()
                        .sorted(Comparator.comparingInt(w -> RND.nextInt())).mapToInt(Integer::intValue).toArray();
                if (keptWindows == 5) { // the short last window among the first kept
                    int at = Arrays.stream(perm).boxed().toList().indexOf(nWindows - 1);
                    perm[at] = perm[1];
                    perm[1] = nWindows - 1;
                }
                System.arraycopy(perm, 0, order, 0, nWindows);
                System.arraycopy(shape, 0, sel, 0, 3);
                plan.execute();
                int[] row = hostWindowKept(perm, keptWindows, windowSize, review, n);
                assertEquals(row.length, count[0], "kept count");
                for (int h = 0; h < nKvHeads; h++) {
                    assertArrayEquals(row, Arrays.copyOfRange(kept, h * row.length, (h + 1) * row.length),
                            "KV head " + h + ", shape " + Arrays.toString(shape));
                }
            }
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException(e);
        }
    }
}
