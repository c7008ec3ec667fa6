package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.kvcache.DeviceSelection;
import dev.windowkv.engine.model.LayerWeights;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.model.Weight;
import dev.windowkv.kernels.tile.FlashAttention;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.annotations.Parallel;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * The prefill on the device, as one {@link CountedPlan} per prompt-length bucket
 * ({@link TornadoDecoder#BUCKET}), its graphs executed in this order:
 * <pre>
 *   prefill0, prefill1, ..., prefill&lt;L-1&gt;, prefillLogits
 * </pre>
 * <ul>
 *   <li>{@code prefill<l>}: the transformer block over the whole prompt: RMSNorm, Q/K/V
 *       ({@link TiledMatmul}), RoPE, causal GQA attention ({@link PrefillAttention}), output
 *       projection + residual, RMSNorm, gate/up, SwiGLU, down + residual. 13 launches. The
 *       embedded prompt goes down with {@code prefill0}; the residual stream then stays on the
 *       device from layer to layer;</li>
 *   <li>{@code prefillLogits}: the last real token's row, the final norm and the output projection;
 *       only the logits come back.</li>
 * </ul>
 * The plan is compiled for the bucket's token count; the prompt's real length is {@code count[0]},
 * an array because TornadoVM compiles scalar arguments in as constants. Padded tokens are neither
 * read nor written.
 *
 * <p>What else the plan does and sends back is its {@link Mode}, chosen from the sink's
 * {@code DeviceSelection}s: a policy that can select on the device scores and selects in a selection
 * graph run right after {@code prefill<l>}, from the q/k that graph left there ({@code topK<l>} for
 * SnapKV, PyramidKV and H2O, {@code windows<l>} for WindowKV), and only its result (kept indices, or
 * the window order) comes back; otherwise the queries come back too and the policies select on the
 * host. Several policies (a sweep's capture) run the same selection graph once each, with their own
 * lengths: the order per layer is {@code prefill<l>, topK<l> × top-k policies, windows<l> × WindowKV
 * policies}. The selection is not part of the layer graph because TornadoVM 5.2.0 caps a graph's
 * bytecode (4 KiB, {@code tornado.tvm.maxbytecodesize}): the 13 layer tasks and two policies' 11
 * overflow it.
 *
 * <p>Where the keys and values go: a prefill on its own ({@code Transformer.prefill} with a plain
 * sink, a capture kept on the host) has its own plan and brings them back once per prompt. A
 * generation's prefill ({@code Transformer.prefill} with a compressor), and a sweep's capture kept on
 * the device ({@link TornadoCapture}), run these graphs inside a decoder's plan
 * ({@link TornadoDecoder}, built with {@code keptName}): each layer's keys and values stay in that
 * layer graph's device buffers, the decoder's {@code kept<l>} graph compacts the kept ones from there,
 * and only the selection (and the logits) come back. 5.2.0 links buffers only between graphs of one
 * plan run back to back (pitfall 6), hence one plan. The host hands the layers to the sink only after
 * the last graph ran.
 */
final class TornadoPrefill implements AutoCloseable {
    /**
     * What a plan computes and sends back besides the keys and values: the plan is compiled for one.
     * Either the queries ({@link #QUERIES}: the host selects, for a policy without a device selection:
     * ChunkKV, AdaKV, ThinK), or the selection graphs of the kinds the policies need, one per layer
     * and kind ({@code topK<l>}: SnapKV, PyramidKV, H2O; {@code windows<l>}: WindowKV's group
     * leaders), each run once per policy that needs it in that layer, with that policy's lengths.
     * FullKV, StreamingLLM and a policy within budget need none. The lengths go down per execution,
     * so which kinds there are is all a plan is compiled for, whatever the policies and budgets.
     */
    record Mode(boolean queries, boolean topK, boolean windows) {
        static final Mode QUERIES = new Mode(true, false, false);

        /**
         * The mode for {@code specs[layer][policy]}; QUERIES when a layer's or a policy's selection is
         * missing (a policy that selects on the host only).
         */
        static Mode of(DeviceSelection[][] specs) {
            boolean topK = false, windows = false;
            for (DeviceSelection[] layer : specs) {
                if (layer == null || layer.length == 0) return QUERIES;
                for (DeviceSelection s : layer) {
                    if (s == null) return QUERIES;
                    topK |= s.kind() == DeviceSelection.Kind.TOP_K;
                    windows |= s.kind() == DeviceSelection.Kind.WINDOW_ORDER;
                }
            }
            return specs.length == 0 ? QUERIES : new Mode(false, topK, windows);
        }

        /** One policy's mode: {@link #of(DeviceSelection[][])} with one selection per layer. */
        static Mode single(DeviceSelection... perLayer) {
            DeviceSelection[][] specs = new DeviceSelection[perLayer.length][];
            for (int l = 0; l < perLayer.length; l++) specs[l] = perLayer[l] == null ? null : new DeviceSelection[] {perLayer[l]};
            return of(specs);
        }
    }

    private final Model model;
    private final Mode mode;
    private final int dim;
    private final int bucket;
    private final int nLayers;
    private final int[] count = new int[1];
    private final float[] x;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] logits;
    private final int[][] sel;     // per layer, BucketScoringKernels' lengths, for the policy selecting next
    private final int[][] top;     // per layer, SelectionKernels' {review, keep, n}
    private final int[] kept;      // topK<l>'s result: kept[nKvHeads][keptCount[0]]
    private final int[] keptCount;
    private final int[] order;     // windows<l>'s result: every window, best first
    private final boolean keepKv;  // in a decoder's plan: the keys/values stay there for its kept<l> graphs
    private final CountedGraph[] graphs;
    private final GridScheduler grid;
    private CountedPlan plan;
    private int first;             // the index of prefill0 in the plan
    private boolean ownsPlan;      // false in a decoder's plan, which closes it

    /** A plan of its own: the keys and values come back once per prompt. */
    TornadoPrefill(Model model, int promptLength, Mode mode, Function<Weight, DeviceWeight> weights,
                   DeviceTraffic traffic) {
        this(model, promptLength, mode, weights, new GridScheduler(), null);
        attach(new CountedPlan(traffic, grid, graphs), 0);
        ownsPlan = true;
    }

    /**
     * The graphs only, for a decoder's plan ({@link #attach}), their work-group sizes in {@code grid}.
     * With {@code keptName} (the name of the decoder's graph that compacts layer l from these graphs'
     * buffers, and runs right after {@code prefill<l>} on the plan's first prompt to link them), the
     * keys and values stay on the device: they come back only in mode {@link Mode#QUERIES}.
     */
    TornadoPrefill(Model model, int promptLength, Mode mode, Function<Weight, DeviceWeight> weights, GridScheduler grid,
                   IntFunction<String> keptName) {
        this.model = model;
        this.mode = mode;
        this.grid = grid;
        this.keepKv = keptName != null;
        ModelConfig c = model.config();
        dim = c.dim();
        nLayers = c.nLayers();
        bucket = TornadoDecoder.bucket(promptLength);
        int b = bucket;
        x = new float[b * dim];
        // One host copy of each activation, shared by the layer graphs (each writes before it reads).
        q = new float[b * c.qDim()];
        k = new float[b * c.kvDim()];
        v = new float[b * c.kvDim()];
        float[] xb = new float[b * dim], att = new float[b * c.qDim()];
        float[] g = new float[b * c.ffnDim()], u = new float[b * c.ffnDim()];
        logits = new float[model.output().rows()];
        int[] at = {0}; // the prompt starts at position 0
        int neox = c.arch().ropeNeox ? 1 : 0;
        float[] invFreq = model.ropeInvFreq();

        boolean topK = mode.topK(), windows = mode.windows();
        boolean scores = topK || windows;
        sel = new int[nLayers][BucketScoringKernels.SIZE];
        top = new int[nLayers][3];
        kept = new int[topK ? c.nKvHeads() * b : 1];
        keptCount = new int[1];
        order = new int[windows ? b : 1];
        // Selection scratch, shared by the selection graphs as the activations are by the layer graphs.
        float[] rowMax = new float[scores ? c.nHeads() * b : 1], rowSum = new float[rowMax.length];
        float[] a = new float[scores ? c.nHeads() * b : 1];
        float[] pooled = new float[topK ? c.nHeads() * b : 1];
        float[] perKv = new float[topK ? c.nKvHeads() * b : 1];
        int[] place = new int[perKv.length];
        float[] windowScore = new float[windows ? b : 1];
        float scale = (float) (1.0 / Math.sqrt(c.headDim()));

        graphs = new CountedGraph[nLayers + 1 + (topK ? nLayers : 0) + (windows ? nLayers : 0)];
        for (int l = 0; l < nLayers; l++) {
            LayerWeights lw = model.layer(l);
            DeviceWeight wq = weights.apply(lw.wq()), wk = weights.apply(lw.wk()), wv = weights.apply(lw.wv());
            DeviceWeight wo = weights.apply(lw.wo()), gate = weights.apply(lw.gate()), up = weights.apply(lw.up());
            DeviceWeight down = weights.apply(lw.down());
            float[] ql = q, kl = k, vl = v;
            CountedGraph graph = new CountedGraph(layerName(l), false);
            graph = l == 0 ? graph.every(x, count) : graph.consume(layerName(l - 1), x, count);
            // On the plan's first prompt kept<l-1> runs in between, to link its buffers; it passes x and count on,
            // as do the selection graphs of layer l-1.
            if (l > 0 && keepKv) graph.consume(keptName.apply(l - 1), x, count);
            if (l > 0) selectionSources(graph, l - 1, x, count);
            graphs[l] = graph
                    .first(lw.attnNorm(), lw.ffnNorm(), invFreq, at, wq.data(), wk.data(), wv.data(), wo.data(),
                            gate.data(), up.data(), down.data())
                    // Scratch: every task argument must be declared; written before read, so only allocated.
                    .first(xb, att, g, u)
                    .task(t -> TokenBlockKernels.rmsnormTask(t, grid, "attnNorm", xb, x, lw.attnNorm(), b, dim,
                            c.normEps(), count))
                    .task(t -> TiledMatmul.task(t, grid, "q", wq, xb, ql, b, count, false))
                    .task(t -> TiledMatmul.task(t, grid, "k", wk, xb, kl, b, count, false))
                    .task(t -> TiledMatmul.task(t, grid, "v", wv, xb, vl, b, count, false))
                    .task(t -> t.task("ropeQ", TokenBlockKernels::rope, ql, b, c.nHeads(), c.headDim(), at, invFreq, neox,
                            count))
                    .task(t -> t.task("ropeK", TokenBlockKernels::rope, kl, b, c.nKvHeads(), c.headDim(), at, invFreq,
                            neox, count))
                    .task(t -> PrefillAttention.task(t, grid, "attention", ql, kl, vl, att, count, b, c.nHeads(),
                            c.nKvHeads(), c.headDim()))
                    .task(t -> TiledMatmul.task(t, grid, "wo", wo, att, x, b, count, true))
                    .task(t -> TokenBlockKernels.rmsnormTask(t, grid, "ffnNorm", xb, x, lw.ffnNorm(), b, dim,
                            c.normEps(), count))
                    .task(t -> TiledMatmul.task(t, grid, "gate", gate, xb, g, b, count, false))
                    .task(t -> TiledMatmul.task(t, grid, "up", up, xb, u, b, count, false))
                    .task(t -> t.task("swiglu", TokenBlockKernels::swiglu, g, u, b, c.ffnDim(), count))
                    .task(t -> TiledMatmul.task(t, grid, "down", down, g, x, b, count, true));
            if (mode.queries()) {
                graphs[l].back(ql, kl, vl);
            } else {
                graphs[l].first(ql); // scratch then: written before read, only allocated
                // Kept on the device: declared (written first, so only allocated), brought back only with the queries.
                if (keepKv) graphs[l].first(kl, vl);
                if (!keepKv) graphs[l].back(kl, vl);
            }
            graphs[l].persist(x, count);
            if (scores) graphs[l].persist(ql, kl);
            if (keepKv) graphs[l].persist(kl, vl);

            // Selection: one graph per kind, run after prefill<l> once per policy that needs it, with its
            // lengths in sel/top. They read q and k where prefill<l> left them, and pass on what later
            // graphs consume from prefill<l> (x, count; k, v for kept<l>): 5.2.0 links only from the
            // graph run just before (pitfall 6). Running one twice in a row re-links its own buffers.
            Object[] passed = keepKv ? new Object[] {ql, kl, vl, x, count} : new Object[] {ql, kl, x, count};
            int[] s = sel[l], tp = top[l];
            if (topK) {
                CountedGraph t = new CountedGraph(topKName(l), false).consume(layerName(l), passed);
                graphs[topKGraph(l)] = t.every(s, tp).first(rowMax, rowSum, a, pooled, perKv, place)
                        .task(g2 -> g2.task("rowStats", BucketScoringKernels::rowStats, ql, kl, s, b, c.nHeads(),
                                c.nKvHeads(), c.headDim(), scale, rowMax, rowSum))
                        .task(g2 -> g2.task("accumulate", BucketScoringKernels::accumulate, ql, kl, s, b, c.nHeads(),
                                c.nKvHeads(), c.headDim(), scale, rowMax, rowSum, a))
                        .task(g2 -> g2.task("maxPool", BucketScoringKernels::maxPool, a, s, b, c.nHeads(), pooled))
                        .task(g2 -> g2.task("perKv", BucketScoringKernels::sumPerKvHead, pooled, s, b, c.nHeads(),
                                c.nKvHeads(), perKv))
                        .task(g2 -> SelectionKernels.topKPlaceTask(g2, "topK", perKv, tp, c.nKvHeads(), b, place))
                        .task(g2 -> SelectionKernels.topKEmitTask(g2, "topK", place, tp, c.nKvHeads(), b, kept, keptCount))
                        .back(kept, keptCount)
                        .persist(passed);
            }
            if (windows) {
                CountedGraph w = new CountedGraph(windowsName(l), false).consume(layerName(l), passed);
                if (topK) w.consume(topKName(l), passed);
                graphs[windowsGraph(l)] = w.every(s).first(rowMax, rowSum, a, windowScore)
                        .task(g2 -> g2.task("rowStats", BucketScoringKernels::rowStats, ql, kl, s, b, c.nHeads(),
                                c.nKvHeads(), c.headDim(), scale, rowMax, rowSum))
                        .task(g2 -> g2.task("accumulate", BucketScoringKernels::accumulate, ql, kl, s, b, c.nHeads(),
                                c.nKvHeads(), c.headDim(), scale, rowMax, rowSum, a))
                        .task(g2 -> g2.task("windowMax", BucketScoringKernels::windowMax, a, s, b, c.nHeads(), windowScore))
                        .task(g2 -> g2.task("windowAverage", BucketScoringKernels::windowAverage, a, s, b, c.nHeads(),
                                windowScore))
                        .task(g2 -> g2.task("windowOrder", BucketScoringKernels::windowOrder, windowScore, s, b, order))
                        .back(order)
                        .persist(passed);
            }
        }
        float[] last = new float[dim];
        float[] lastNorm = new float[dim];
        float[] outputNorm = model.outputNorm();
        DeviceWeight output = weights.apply(model.output());
        graphs[nLayers] = new CountedGraph("prefillLogits", false).consume(layerName(nLayers - 1), x, count);
        if (keepKv) graphs[nLayers].consume(keptName.apply(nLayers - 1), x, count);
        selectionSources(graphs[nLayers], nLayers - 1, x, count);
        graphs[nLayers]
                .first(outputNorm, output.data(), last, lastNorm)
                .task(t -> t.task("last", TornadoPrefill::lastToken, x, last, dim, count))
                .task(t -> t.task("norm", LayerKernels::rmsnorm, lastNorm, last, outputNorm, 1, dim, c.normEps()))
                .task(t -> output.matmulTask(t, "output", lastNorm, logits, 1))
                .back(logits);
    }

    /** This prefill's graphs, {@code prefill0..prefill<L-1>, prefillLogits}, for a plan. */
    CountedGraph[] graphs() {
        return graphs;
    }

    /** Runs in {@code plan}, whose graph {@code first} is {@code prefill0}. */
    void attach(CountedPlan plan, int first) {
        this.plan = plan;
        this.first = first;
    }

    /** The keys' host array: on the device, each layer graph's buffer of it holds that layer's keys. */
    float[] keys() {
        return k;
    }

    /** The values' host array, as {@link #keys}. */
    float[] values() {
        return v;
    }

    /** The residual stream and the length, which a decoder's kept<l> graph passes on between prefill graphs. */
    float[] residual() {
        return x;
    }

    int[] count() {
        return count;
    }

    Mode mode() {
        return mode;
    }

    static String layerName(int l) {
        return "prefill" + l;
    }

    private static String topKName(int l) {
        return "topK" + l;
    }

    private static String windowsName(int l) {
        return "windows" + l;
    }

    private int topKGraph(int l) {
        return nLayers + 1 + l;
    }

    private int windowsGraph(int l) {
        return nLayers + 1 + (mode.topK() ? nLayers : 0) + l;
    }

    /**
     * Layer l's selection graphs, which run between {@code prefill<l>} and the graph after it and
     * pass on what {@code prefill<l>} left: a graph that follows them names them as sources too.
     */
    List<String> selectionNames(int l) {
        List<String> names = new java.util.ArrayList<>();
        if (mode.topK()) names.add(topKName(l));
        if (mode.windows()) names.add(windowsName(l));
        return names;
    }

    private void selectionSources(CountedGraph graph, int l, Object... arrays) {
        for (String name : selectionNames(l)) graph.consume(name, arrays);
    }

    /** True when the device can run this model's prefill: the decoder's weights, and heads the attention kernel stages. */
    static boolean supports(Model model) {
        return TornadoDecoder.supports(model) && model.config().headDim() <= FlashAttention.MAX_HEAD_DIM;
    }

    /** True when this plan was compiled for this model, a prompt of this length's bucket and this mode. */
    boolean fits(Model m, int promptLength, Mode mode) {
        return m == model && TornadoDecoder.bucket(promptLength) == bucket && this.mode.equals(mode);
    }

    /**
     * Embeds {@code tokens} with {@code host} (a table lookup per token), runs every layer on the
     * device, hands each layer's queries, keys and values to {@code sink}, and returns the last
     * token's logits.
     */
    float[] run(int[] tokens, Transformer.LayerSink sink, DeviceSelection[][] specs, Backend host) {
        return run(tokens, sink, specs, host, null);
    }

    /**
     * As {@link #run(int[], Transformer.LayerSink, DeviceSelection[][], Backend)}, with {@code afterLayer}
     * (may be null) run right after each layer's graph. Keys and values kept on the device reach the
     * sink as null (in mode QUERIES the host copies come, for the host's scoring).
     */
    float[] run(int[] tokens, Transformer.LayerSink sink, DeviceSelection[][] specs, Backend host, IntConsumer afterLayer) {
        int n = tokens.length;
        if (n > bucket) throw new IllegalArgumentException(n + " tokens do not fit a plan for " + bucket);
        for (int t = 0; t < n; t++) host.embedding(model.tokenEmbedding(), tokens[t], x, t * dim);
        count[0] = n;
        ModelConfig c = model.config();
        float[][] ql = new float[nLayers][], kl = new float[nLayers][], vl = new float[nLayers][];
        int policies = mode.queries() ? 0 : specs[0].length;
        int[][][] result = new int[nLayers][policies][];
        for (int l = 0; l < nLayers; l++) {
            plan.execute(first + l);
            // All top-k selections first: windows<l> names topK<l> as a source, not the other way round.
            for (DeviceSelection.Kind kind : new DeviceSelection.Kind[] {DeviceSelection.Kind.TOP_K,
                    DeviceSelection.Kind.WINDOW_ORDER}) {
                for (int i = 0; i < policies; i++) {
                    if (specs[l][i].kind() != kind) continue;
                    setSelection(l, n, specs[l][i]);
                    if (kind == DeviceSelection.Kind.TOP_K) {
                        plan.execute(first + topKGraph(l));
                        result[l][i] = Arrays.copyOf(kept, c.nKvHeads() * keptCount[0]);
                    } else {
                        plan.execute(first + windowsGraph(l));
                        result[l][i] = Arrays.copyOf(order, sel[l][BucketScoringKernels.WINDOWS]);
                    }
                }
            }
            for (int i = 0; i < policies; i++) {
                if (result[l][i] == null) result[l][i] = new int[0]; // NO_SCORES: the policy selects by position
            }
            if (afterLayer != null) afterLayer.accept(l);
            if (mode.queries()) ql[l] = Arrays.copyOf(q, n * c.qDim());
            if (!keepKv || mode.queries()) {
                kl[l] = Arrays.copyOf(k, n * c.kvDim());
                vl[l] = Arrays.copyOf(v, n * c.kvDim());
            }
        }
        plan.execute(first + nLayers);
        for (int l = 0; l < nLayers; l++) {
            if (mode.queries()) sink.layer(l, ql[l], kl[l], vl[l]);
            else sink.layerSelected(l, result[l], kl[l], vl[l]);
        }
        return logits.clone();
    }

    /** Layer l's lengths for selection {@code s}, for the selection graph that runs next. */
    private void setSelection(int l, int n, DeviceSelection s) {
        int[] z = sel[l];
        int[] tp = top[l];
        Arrays.fill(z, 0);
        z[BucketScoringKernels.N] = n;
        z[BucketScoringKernels.FIRST_QUERY] = n;
        z[BucketScoringKernels.WIDTH] = 1;
        tp[0] = 0;
        tp[1] = 0;
        tp[2] = n;
        if (s.kind() == DeviceSelection.Kind.NO_SCORES) return;
        z[BucketScoringKernels.FIRST_QUERY] = s.firstQuery();
        z[BucketScoringKernels.CAUSAL_FROM] = s.causalFrom();
        z[BucketScoringKernels.REVIEW] = s.review();
        z[BucketScoringKernels.WIDTH] = s.poolingKernel();
        z[BucketScoringKernels.WINDOW_SIZE] = s.windowSize();
        z[BucketScoringKernels.TOP_M] = s.topM();
        if (s.kind() == DeviceSelection.Kind.WINDOW_ORDER) {
            z[BucketScoringKernels.WINDOWS] = Math.ceilDiv(s.review(), s.windowSize());
        } else {
            tp[0] = s.review();
            tp[1] = s.keep();
        }
    }

    /** last = x's row {@code count[0] - 1}: the last real token, whatever the bucket. */
    static void lastToken(float[] x, float[] last, int dim, int[] count) {
        for (@Parallel int i = 0; i < dim; i++) {
            last[i] = x[(count[0] - 1) * dim + i];
        }
    }

    /** Closes its own plan; one in a decoder's plan goes with that plan. */
    @Override
    public void close() {
        if (ownsPlan) plan.close();
    }
}
