package dev.windowkv.engine.model;

import dev.windowkv.engine.backend.DeviceCapture;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.DeviceSelection;
import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.PrefillLayer;
import dev.windowkv.engine.kvcache.ScoreMemo;
import dev.windowkv.engine.kvcache.TaskType;

import java.util.ArrayList;
import java.util.List;

/**
 * A prefill kept for several KV policies: a sweep prefills a prompt once and compresses it under
 * every policy it compares, since the prefill itself does not depend on the policy.
 *
 * <p>What it keeps is what compression needs after the prefill, no more: every layer's keys and
 * values (the cache is filled from them), the last token's logits, and for each policy it was
 * made for, the tokens each layer keeps. The policies select <em>during</em> the prefill, layer by
 * layer, while that layer's queries exist; so H2O, which scores with every prompt query, sums its
 * attention per layer and no layer's queries outlive the layer (keeping them all took 4× the keys'
 * and values' memory on a GQA model). The policies of one layer share its attention scores
 * ({@link ScoreMemo}): one observation range is scored once per layer, whatever the budgets.
 *
 * <p>The keys and values live off the Java heap ({@link PromptKv}), freed by {@link #close}: the
 * memory goes back to the operating system when the sweep moves on to the next prompt, not when a
 * collector gets round to it. A host prefill writes them there chunk by chunk and the policies
 * select after each layer's last chunk from what {@link LayerObservations} kept of its queries.
 *
 * <p>On a device backend, when the restores' cache type and decode room are known up front and every
 * policy selects on the device ({@code Compressor.deviceSelection}), the keys and values stay on the
 * device instead ({@link DeviceCapture}): the prefill runs in a decode plan sized for the largest of
 * the policies' caches, every policy selects there and only its kept indices (or window order) come
 * back, and each restore compacts from that plan's memory. The capture then holds no keys or values.
 */
public final class PrefillCapture implements Transformer.LayerSink, Transformer.ChunkSink, AutoCloseable {
    /** One policy's compression of this prefill: its compressor (for the cache's capacity) and what each layer keeps. */
    public static final class Selection {
        private final KvPolicy policy;
        private final Compressor compressor;
        private final KeptTokens[] kept;
        private double selectMillis;

        private Selection(KvPolicy policy, Compressor compressor, int nLayers) {
            this.policy = policy;
            this.compressor = compressor;
            this.kept = new KeptTokens[nLayers];
        }

        public KvPolicy policy() { return policy; }
        public Compressor compressor() { return compressor; }
        /** The prompt tokens layer {@code layer} keeps (null: all, in order). */
        public KeptTokens kept(int layer) { return kept[layer]; }
        /** Wall time this policy spent scoring and choosing tokens, over every layer. */
        public double selectMillis() { return selectMillis; }
    }

    private final ModelConfig c;
    private final dev.windowkv.engine.backend.Backend backend;
    private final int promptLength;
    private final TaskType taskHint;
    private final List<Selection> selections = new ArrayList<>();
    private final int[] scoreRanges;
    private final DeviceSelection[][] specs; // per layer, one per selection; null: some policy selects on the host
    private final DeviceCapture device;      // the keys and values stayed there, or null
    private final PromptKv kv;               // null when they stayed on the device
    private final int queries;
    private final LayerObservations seen;
    private float[] logits;
    private double prefillMillis;

    private PrefillCapture(Transformer tf, int promptLength, List<? extends KvPolicy> policies, TaskType taskHint,
                           int decodeRoom, KvCache.Dtype dtype) {
        this.c = tf.config();
        this.backend = tf.backend();
        this.promptLength = promptLength;
        this.taskHint = taskHint;
        for (KvPolicy p : policies) {
            if (find(p) != null) continue; // an equal policy selects the same tokens
            selections.add(new Selection(p, p.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), promptLength, taskHint),
                    c.nLayers()));
        }
        this.scoreRanges = new int[c.nLayers()];
        int q = 0;
        boolean mass = false;
        for (Selection s : selections) {
            q = Math.max(q, s.compressor.queries());
            mass |= s.compressor.causalMass();
        }
        this.queries = q;
        this.seen = new LayerObservations(c, backend, promptLength, q, mass);
        this.specs = deviceSelections(selections, c.nLayers(), promptLength);
        // The device keeps the keys and values only for restores it can serve: F32 caches of known size.
        this.device = specs != null && dtype == KvCache.Dtype.F32 && decodeRoom >= 0
                ? backend.deviceCapture(tf.model(), promptLength, capacities(decodeRoom)) : null;
        this.kv = device == null ? new PromptKv(c.nLayers(), promptLength, c.nKvHeads(), c.headDim()) : null;
    }

    /** Per layer every policy's device selection, or null when one policy selects on the host only. */
    private static DeviceSelection[][] deviceSelections(List<Selection> selections, int nLayers, int n) {
        if (selections.isEmpty()) return null;
        DeviceSelection[][] out = new DeviceSelection[nLayers][selections.size()];
        for (int l = 0; l < nLayers; l++) {
            for (int i = 0; i < selections.size(); i++) {
                out[l][i] = selections.get(i).compressor.deviceSelection(l, n);
                if (out[l][i] == null) return null;
            }
        }
        return out;
    }

    /** Per layer the largest cache any policy's restore fills, with {@code decodeRoom} slots to decode into. */
    private int[] capacities(int decodeRoom) {
        int[] capacity = new int[c.nLayers()];
        for (int l = 0; l < capacity.length; l++) {
            for (Selection s : selections) capacity[l] = Math.max(capacity[l], Math.min(promptLength, s.compressor.capacity(l)));
            capacity[l] += decodeRoom;
        }
        return capacity;
    }

    /**
     * Prefills {@code tokens} with {@code tf} and keeps it for {@code policies} (started with
     * {@code taskHint}); only those can be restored from it ({@link #selection}).
     */
    public static PrefillCapture run(Transformer tf, int[] tokens, List<? extends KvPolicy> policies, TaskType taskHint) {
        return run(tf, tokens, policies, taskHint, -1, null);
    }

    /**
     * {@link #run(Transformer, int[], List, TaskType)} for restores into {@code dtype} caches with at
     * most {@code decodeRoom} decode slots: a device backend may then keep the keys and values on the
     * device (see the class comment); a restore that asks for more room than that, or another cache
     * type, is then an {@code IllegalStateException}. {@code dtype} null: unknown, as the other form.
     */
    public static PrefillCapture run(Transformer tf, int[] tokens, List<? extends KvPolicy> policies, TaskType taskHint,
                                     int decodeRoom, KvCache.Dtype dtype) {
        PrefillCapture cap = new PrefillCapture(tf, tokens.length, policies, taskHint, decodeRoom, dtype);
        try {
            long t0 = System.nanoTime();
            cap.logits = tf.prefill(tokens, cap);
            double selecting = 0;
            for (Selection s : cap.selections) selecting += s.selectMillis;
            cap.prefillMillis = (System.nanoTime() - t0) / 1e6 - selecting;
            return cap;
        } catch (RuntimeException e) {
            cap.close();
            throw e;
        }
    }

    /** A capture that has not seen its prefill yet: {@code tf.prefill(tokens, capture)} fills it (tests tee the layers). */
    static PrefillCapture start(Transformer tf, int promptLength, List<? extends KvPolicy> policies, TaskType taskHint) {
        return new PrefillCapture(tf, promptLength, policies, taskHint, -1, null);
    }

    /** A whole layer, from a device prefill or a one-chunk host prefill of {@code tf.prefill(tokens, sink)}. */
    @Override
    public void layer(int layer, float[] q, float[] k, float[] v) {
        store().write(layer, 0, promptLength, k, v);
        select(new PrefillLayer(layer, promptLength, c.nHeads(), c.nKvHeads(), c.headDim(), q, k, backend, new ScoreMemo()));
    }

    @Override
    public void chunk(int layer, int pos0, int m, float[] q, float[] k, float[] v) {
        seen.chunk(layer, pos0, m, q, k);
    }

    @Override
    public boolean readsChunkKeys() {
        return seen.causalMass();
    }

    @Override
    public void layerDone(int layer, float[] k, float[] v) {
        select(seen.layer(layer, k, new ScoreMemo()));
        seen.drop(layer);
    }

    /** Every policy selects for one layer; they share one memo, so its scores go when the layer's queries do. */
    private void select(PrefillLayer l) {
        for (Selection s : selections) {
            long t0 = System.nanoTime();
            s.kept[l.layer()] = s.compressor.select(l);
            s.selectMillis += (System.nanoTime() - t0) / 1e6;
        }
        scoreRanges[l.layer()] = l.scores().size();
    }

    /** Where the prefill writes every layer's keys and values. */
    PromptKv store() {
        if (kv == null) throw new IllegalStateException("this capture's keys and values stay on the device");
        return kv;
    }

    /** The device the keys and values stayed on, for the prefill and the restores; null when the capture holds them. */
    @Override
    public DeviceCapture capture() {
        return device;
    }

    /** The most of the last queries any of its policies reads. */
    int queries() {
        return queries;
    }

    /** Every policy's device selection, in the order of {@link #layerSelected}'s results; null when one has none. */
    @Override
    public DeviceSelection[] deviceSelections(int layer, int n) {
        return specs == null || n != promptLength ? null : specs[layer].clone();
    }

    /** One result per policy; {@code k} and {@code v} are null when they stayed on the device. */
    @Override
    public void layerSelected(int layer, int[][] results, float[] k, float[] v) {
        if (k != null) store().write(layer, 0, promptLength, k, v);
        for (int i = 0; i < selections.size(); i++) {
            Selection s = selections.get(i);
            long t0 = System.nanoTime();
            s.kept[layer] = s.compressor.selectFromDevice(layer, promptLength, c.nKvHeads(), results[i]);
            s.selectMillis += (System.nanoTime() - t0) / 1e6;
        }
    }

    /** This capture's compression under {@code policy}; a policy it was not made for is an error. */
    public Selection selection(KvPolicy policy) {
        Selection s = find(policy);
        if (s == null) {
            throw new IllegalArgumentException("this prefill was captured for " + describe() + ", not for " + policy.describe());
        }
        return s;
    }

    private Selection find(KvPolicy policy) {
        for (Selection s : selections) if (s.policy.equals(policy)) return s;
        return null;
    }

    private String describe() {
        List<String> names = new ArrayList<>();
        for (Selection s : selections) names.add(s.policy.describe());
        return names.isEmpty() ? "no policy" : String.join(", ", names);
    }

    /** Copies layer {@code layer}'s keys, {@code [n][nKvHeads][headDim]}, into {@code out}. */
    public void keys(int layer, float[] out) {
        store().keys(layer, promptLength, out);
    }

    /** Copies layer {@code layer}'s values, laid out as the keys, into {@code out}. */
    public void values(int layer, float[] out) {
        store().values(layer, promptLength, out);
    }

    public int promptLength() { return promptLength; }
    /** The task hint the policies were started with. */
    public TaskType taskHint() { return taskHint; }
    /** How many observation ranges were scored in {@code layer} (each once, for every policy that needed it). */
    public int scoreRanges(int layer) { return scoreRanges[layer]; }
    /** Bytes the capture holds on the host for its keys and values (none when they stayed on the device). */
    public long bytes() { return kv == null ? 0 : kv.bytes(); }
    /** Whether the keys and values stayed on the device (the restores compact from there). */
    public boolean onDevice() { return device != null; }
    public float[] logits() { return logits.clone(); }
    /** Wall time of the prefill, the policies' selection not included. */
    public double prefillMillis() { return prefillMillis; }

    /** Frees the keys and values (or lets the device free them); the capture cannot be restored from afterwards. */
    @Override
    public void close() {
        if (kv != null) kv.close();
        if (device != null) device.close();
    }
}
