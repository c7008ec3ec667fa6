package dev.windowkv.engine.model;

import dev.windowkv.engine.kvcache.ScoreMemo;

/**
 * A prefill kept in memory: each layer's post-RoPE queries and keys/values and the last token's
 * logits. Prefill does not depend on the KV policy (compression only touches the cached copy), so
 * a sweep prefills a prompt once and compresses the capture under every policy it compares. The
 * attention scores those policies compute from a layer are the capture's too ({@link #scores}):
 * they are computed once per capture and go with it.
 */
public final class PrefillCapture implements Transformer.LayerSink {
    private final int promptLength;
    private final float[][] q;
    private final float[][] k;
    private final float[][] v;
    private final ScoreMemo[] scores;
    private float[] logits;
    private double prefillMillis;

    public PrefillCapture(int nLayers, int promptLength) {
        this.promptLength = promptLength;
        this.q = new float[nLayers][];
        this.k = new float[nLayers][];
        this.v = new float[nLayers][];
        this.scores = new ScoreMemo[nLayers];
        for (int l = 0; l < nLayers; l++) scores[l] = new ScoreMemo();
    }

    /** Prefills {@code tokens} with {@code tf} and captures it. */
    public static PrefillCapture run(Transformer tf, int nLayers, int[] tokens) {
        PrefillCapture cap = new PrefillCapture(nLayers, tokens.length);
        long t0 = System.nanoTime();
        cap.logits = tf.prefill(tokens, cap);
        cap.prefillMillis = (System.nanoTime() - t0) / 1e6;
        return cap;
    }

    @Override
    public void layer(int layer, float[] q, float[] k, float[] v) {
        this.q[layer] = q.clone();
        this.k[layer] = k.clone();
        this.v[layer] = v.clone();
    }

    public int promptLength() { return promptLength; }
    public float[] q(int layer) { return q[layer]; }
    public float[] k(int layer) { return k[layer]; }
    public float[] v(int layer) { return v[layer]; }
    /** Scores computed from this capture's layer, shared by every policy compressing it. */
    public ScoreMemo scores(int layer) { return scores[layer]; }
    public float[] logits() { return logits.clone(); }
    public double prefillMillis() { return prefillMillis; }
}
