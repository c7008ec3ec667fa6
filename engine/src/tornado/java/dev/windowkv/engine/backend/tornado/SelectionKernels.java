package dev.windowkv.engine.backend.tornado;

import dev.windowkv.kernels.kv.TopKPerHead;
import dev.windowkv.kernels.kv.WindowSelection;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * The policies' selection on the device, writing the kept indices in the layout the device
 * compaction reads ({@code ScoringKernels.gatherKept}: {@code kept[kvHead][count[0]]}, the count
 * set here), so that scores, selection and compaction chain on the device and nothing has to come
 * back:
 * <ul>
 *   <li>SnapKV, PyramidKV, H2O: {@link #topKTasks}, the host's {@code TopK.topPlusRecent} index for
 *       index ({@code TopKPerHead});</li>
 *   <li>WindowKV: {@link #windowKeptTask} after {@code ScoringKernels.windowOrder}
 *       ({@code WindowSelection}).</li>
 * </ul>
 * The lengths come in a small int array sent each execution, so one compiled graph serves every
 * prompt of a bucket; the loops run over the bucket's maxima and skip the rest. {@code @Parallel}
 * loops only: no grid needed.
 */
final class SelectionKernels {
    private SelectionKernels() {}

    /**
     * Adds the two top-k tasks: per KV head the {@code sel[1]} (keep) best of the {@code sel[0]}
     * (reviewLength) scores {@code scores[kvHead][reviewLength]}, in prompt order, then tokens
     * {@code reviewLength..sel[2]-1} (n). {@code place} is scratch of {@code nKvHeads · maxReview};
     * {@code kept} holds {@code nKvHeads · maxN}.
     */
    static void topKTasks(TaskGraph g, String name, float[] scores, int[] sel, int nKvHeads, int maxReview, int maxN,
                          int[] place, int[] kept, int[] count) {
        topKPlaceTask(g, name, scores, sel, nKvHeads, maxReview, place);
        topKEmitTask(g, name, place, sel, nKvHeads, maxN, kept, count);
    }

    /** The first of {@link #topKTasks}' two tasks (a graph that counts its launches adds them one by one). */
    static void topKPlaceTask(TaskGraph g, String name, float[] scores, int[] sel, int nKvHeads, int maxReview,
                              int[] place) {
        g.task(name + "Place", SelectionKernels::topKPlace, scores, sel, nKvHeads, maxReview, place);
    }

    /** The second of {@link #topKTasks}' two tasks. */
    static void topKEmitTask(TaskGraph g, String name, int[] place, int[] sel, int nKvHeads, int maxN, int[] kept,
                             int[] count) {
        g.task(name + "Emit", SelectionKernels::topKEmit, place, sel, nKvHeads, maxN, kept, count);
    }

    static void topKPlace(float[] scores, int[] sel, int nKvHeads, int maxReview, int[] place) {
        for (@Parallel int item = 0; item < nKvHeads * maxReview; item++) {
            int i = item % maxReview;
            if (i < sel[0]) {
                TopKPerHead.place(item / maxReview, i, scores, sel[0], place);
            }
        }
    }

    static void topKEmit(int[] place, int[] sel, int nKvHeads, int maxN, int[] kept, int[] count) {
        for (@Parallel int item = 0; item < nKvHeads * maxN; item++) {
            int i = item % maxN;
            if (i < sel[2]) {
                TopKPerHead.emit(item / maxN, i, place, sel[0], sel[1], sel[2], kept);
            }
            if (item == 0) {
                count[0] = sel[1] + sel[2] - sel[0];
            }
        }
    }

    /**
     * Adds WindowKV's kept tokens from the window order: the first {@code sel[0]} (keptWindows)
     * windows of {@code order}, then the suffix from {@code sel[1]} (review) to {@code sel[2]} (n),
     * the same for every KV head. {@code kept} holds {@code nKvHeads · maxN}; {@code maxWindows}
     * bounds keptWindows.
     */
    static void windowKeptTask(TaskGraph g, String name, int[] order, int[] sel, int windowSize, int nKvHeads,
                               int maxWindows, int[] kept, int[] count) {
        g.task(name, SelectionKernels::windowKept, order, sel, windowSize, nKvHeads, maxWindows, kept, count);
    }

    static void windowKept(int[] order, int[] sel, int windowSize, int nKvHeads, int maxWindows, int[] kept,
                           int[] count) {
        for (@Parallel int item = 0; item < nKvHeads * (maxWindows + 1); item++) {
            int p = item % (maxWindows + 1);
            if (p <= sel[0]) {
                WindowSelection.emit(item / (maxWindows + 1), p, order, sel[0], windowSize, sel[1], sel[2], kept, count);
            }
        }
    }
}
