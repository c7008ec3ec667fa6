package dev.windowkv.experiments.sweep;

/**
 * One prompt of a sweep: every policy and budget runs on it (the prefill is shared). Its seed is a
 * pure function of the base seed and the cell's coordinates, so a cell is the same prompt whether it
 * runs alone, in a shard, or after a resume.
 */
public record Cell(String model, String task, int length, Double depth, int sample, long seed, Integer valueSpan) {
    public static Cell of(String model, String task, int length, Double depth, int sample, long baseSeed) {
        return of(model, task, length, depth, null, sample, baseSeed);
    }

    /** @param valueSpan tokens per needle value (null: the task's own; its seed is the one without a span) */
    public static Cell of(String model, String task, int length, Double depth, Integer valueSpan, int sample,
                          long baseSeed) {
        long h = baseSeed;
        h = h * 1_000_003L + task.hashCode();
        h = h * 1_000_003L + length;
        h = h * 1_000_003L + (depth == null ? -1 : Math.round(depth * 1_000_000));
        if (valueSpan != null) h = h * 1_000_003L + 7_919L * valueSpan;
        h = h * 1_000_003L + sample;
        return new Cell(model, task, length, depth, sample, mix(h), valueSpan);
    }

    /** A cell of the task's own values. */
    public Cell(String model, String task, int length, Double depth, int sample, long seed) {
        this(model, task, length, depth, sample, seed, null);
    }

    /** SplitMix64's finaliser: spreads nearby seeds far apart. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
