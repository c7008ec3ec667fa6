package dev.windowkv.engine.kvcache;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The accumulated attention scores already computed for one layer of one prefill. A sweep
 * compresses one captured prefill under many policies and budgets, and their scores depend only on
 * that layer's queries, keys and the observation range, so the capture owns one memo per layer and
 * every policy run on it shares the scores. A live prefill overwrites its q/k arrays layer after
 * layer, so it hands each layer a fresh memo ({@link #none()}): nothing outlives the layer's data.
 */
public final class ScoreMemo {
    /** The observation range a score array was computed for (the layer is fixed by the memo). */
    private record Range(int firstQuery, int causalFrom, int keyCount) {}

    private final Map<Range, float[]> scores = new ConcurrentHashMap<>();
    /** Every query's causal mass {@code [nHeads][keys]}, summed by a chunked prefill; null when none was. */
    private float[] causalMass;
    private int massKeys;

    /** A memo for one layer's scores, to live as long as that layer's queries and keys stay unchanged. */
    public ScoreMemo() {}

    /** A memo used by one layer only: scores are computed anew for every {@link PrefillLayer}. */
    public static ScoreMemo none() {
        return new ScoreMemo();
    }

    /**
     * Gives the memo the causal attention mass of every query of the layer, {@code a[h][j]} laid out
     * {@code [nHeads][keys]}: a chunked prefill sums it chunk by chunk, as it no longer has the
     * queries at the end. The range {@code (0, 0, keyCount)} is then read from it.
     */
    public void seedCausalMass(float[] a, int keys) {
        this.causalMass = a;
        this.massKeys = keys;
    }

    /** A copy of the scores for this range, computed by {@code compute} the first time. */
    float[] get(int firstQuery, int causalFrom, int keyCount, Supplier<float[]> compute) {
        Range key = new Range(firstQuery, causalFrom, keyCount);
        float[] known = scores.get(key);
        if (known == null) {
            known = firstQuery == 0 && causalFrom == 0 && causalMass != null && keyCount <= massKeys
                    ? firstColumns(causalMass, massKeys, keyCount) : compute.get();
            scores.putIfAbsent(key, known);
        }
        return known.clone();
    }

    private static float[] firstColumns(float[] a, int keys, int keyCount) {
        int rows = a.length / Math.max(1, keys);
        float[] out = new float[rows * keyCount];
        for (int h = 0; h < rows; h++) System.arraycopy(a, h * keys, out, h * keyCount, keyCount);
        return out;
    }

    /** How many score arrays it holds (one per observation range computed). */
    public int size() {
        return scores.size();
    }
}
