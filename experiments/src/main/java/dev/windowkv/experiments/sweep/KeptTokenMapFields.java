package dev.windowkv.experiments.sweep;

import dev.windowkv.engine.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * What a sweep row carries for the kept-token map ({@code SweepRow.keptRanges}, {@code needleSpan}):
 * the kept prompt positions run-length encoded, and the needle's token span. The ranges are written
 * for one sample per (task, length, policy) only, to keep results files small: sample 0, the
 * middle configured depth (or no depth), and the heatmap budget when the config sets one.
 */
final class KeptTokenMapFields {
    private KeptTokenMapFields() {}

    /** Whether a row of this cell and budget (null: FullKV) carries the map. */
    static boolean wanted(SweepConfig config, Cell cell, Integer budget) {
        if (cell.sample() != 0) return false;
        List<Double> depths = config.depths();
        if (cell.depth() != null && depths != null && !depths.isEmpty()
                && !cell.depth().equals(depths.get(depths.size() / 2))) {
            return false;
        }
        return budget == null || config.heatmapBudget() == null || budget.equals(config.heatmapBudget());
    }

    /** Ascending positions per layer and head, as half-open ranges {@code [s0, e0, s1, e1, ...]}. */
    static int[][][] ranges(int[][][] positions) {
        int[][][] out = new int[positions.length][][];
        for (int l = 0; l < positions.length; l++) {
            out[l] = new int[positions[l].length][];
            for (int h = 0; h < positions[l].length; h++) out[l][h] = ranges(positions[l][h]);
        }
        return out;
    }

    static int[] ranges(int[] ascending) {
        int[] out = new int[2 * ascending.length];
        int c = 0;
        for (int i = 0; i < ascending.length; i++) {
            if (c > 0 && out[c - 1] == ascending[i]) {
                out[c - 1]++;
            } else {
                out[c++] = ascending[i];
                out[c++] = ascending[i] + 1;
            }
        }
        return Arrays.copyOf(out, c);
    }

    /**
     * The tokens {@code [start, end)} that spell the first occurrence of {@code needle} in the
     * prompt (matched on the tokens' bytes, so BOS and tokenizer details do not shift it), or null.
     */
    static int[] needleSpan(Tokenizer tok, int[] tokens, String needle) {
        if (needle == null || needle.isBlank()) return null;
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int[] start = new int[tokens.length + 1];
        for (int i = 0; i < tokens.length; i++) {
            start[i] = all.size();
            all.writeBytes(tok.tokenBytes(tokens[i]));
        }
        start[tokens.length] = all.size();
        byte[] hay = all.toByteArray();
        byte[] pin = needle.getBytes(StandardCharsets.UTF_8);
        int at = indexOf(hay, pin);
        if (at < 0) return null;
        int first = tokenAt(start, at);
        int last = tokenAt(start, at + pin.length - 1);
        return new int[] {first, last + 1};
    }

    private static int tokenAt(int[] start, int byteIndex) {
        int i = Arrays.binarySearch(start, byteIndex);
        if (i >= 0) {
            while (i + 1 < start.length && start[i + 1] == byteIndex) i++; // skip empty tokens
            return i;
        }
        return -i - 2;
    }

    private static int indexOf(byte[] hay, byte[] pin) {
        outer:
        for (int i = 0; i + pin.length <= hay.length; i++) {
            for (int j = 0; j < pin.length; j++) {
                if (hay[i + j] != pin[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
