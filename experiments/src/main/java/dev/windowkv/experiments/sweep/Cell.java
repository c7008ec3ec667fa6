package dev.windowkv.experiments.sweep;

/**
 * One prompt of a sweep: every policy and budget runs on it (the prefill is shared). Its seed is a
 * pure function of the base seed and the cell's coordinates, so a cell is the same prompt whether it
 * runs alone, in a shard, or after a resume.
 */
public record Cell(String model, String task, int length, Double depth, int sample, long seed) {
    public static Cell of(String model, String task, int length, Double depth, int sample, long baseSeed) {
        long h = baseSeed;
        h = h * 1_000_003L + task.hashCode();
        h = h * 1_000_003L + length;
        h = h * 1_000_003L + (depth == null ? -1 : Math.round(depth * 1_000_000));
        h = h * 1_000_003L + sample;
        return new Cell(model, task, length, depth, sample, mix(h));
    }

    /** SplitMix64's finaliser: spreads nearby seeds far apart. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
