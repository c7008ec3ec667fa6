package dev.windowkv.kernels.kv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Worked examples of the device selections, run as the host runs their work items. */
class SelectionTest {
    @Test
    void topKPerHeadBreaksTiesToTheLowerIndexAndKeepsPromptOrder() {
        // review 5, keep 3, n 7: places 0.9@1 → 0, 0.9@4 → 1, 0.5@0 → 2, 0.5@2 → 3, 0.1@3 → 4.
        float[] s = {0.5f, 0.9f, 0.5f, 0.1f, 0.9f, /* head 1 */ 0.2f, 0.2f, 0.2f, 0.2f, 0.2f};
        int review = 5, keep = 3, n = 7;
        int[] place = new int[10];
        for (int h = 0; h < 2; h++) for (int i = 0; i < review; i++) TopKPerHead.place(h, i, s, review, place);
        assertArrayEquals(new int[] {2, 0, 3, 4, 1, 0, 1, 2, 3, 4}, place);
        int[] kept = new int[2 * (keep + n - review)];
        for (int h = 0; h < 2; h++) for (int i = 0; i < n; i++) TopKPerHead.emit(h, i, place, review, keep, n, kept);
        assertArrayEquals(new int[] {0, 1, 4, 5, 6, /* head 1: all tied, the first three */ 0, 1, 2, 5, 6}, kept);
    }

    @Test
    void windowSelectionListsTheKeptWindowsInOrderThenTheSuffix() {
        // review 10 in windows of 4: {0..3}, {4..7}, {8, 9}; order 2, 0, 1; keep 2 windows; suffix 10..11.
        int[] order = {2, 0, 1};
        int keptWindows = 2, windowSize = 4, review = 10, n = 12;
        assertEquals(8, WindowSelection.count(order, keptWindows, windowSize, review, n));
        int[] kept = new int[2 * 8];
        int[] count = new int[1];
        for (int h = 0; h < 2; h++) {
            for (int p = 0; p <= keptWindows; p++) {
                WindowSelection.emit(h, p, order, keptWindows, windowSize, review, n, kept, count);
            }
        }
        assertEquals(8, count[0]);
        assertArrayEquals(new int[] {8, 9, 0, 1, 2, 3, 10, 11, 8, 9, 0, 1, 2, 3, 10, 11}, kept);
    }
}
