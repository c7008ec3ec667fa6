package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.DeviceDecoder;
import dev.windowkv.engine.kvcache.DeviceSelection;
import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.model.LayerWeights;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.model.Weight;
import dev.windowkv.kernels.Argmax;
import dev.windowkv.kernels.SplitAttention;

import uk.ac.manchester.tornado.api.GridScheduler;

import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * The decode on the device, and with a prefill mode its generation's prefill, as one
 * {@link CountedPlan} of task graphs, executed in this order:
 * <pre>
 *   the prompt, on the device:    prefill0, [topK0 ..., windows0 ...,] prefill1, ..., prefillLogits ({@link TornadoPrefill})
 *   first token of a generation:  token, kept0, layer0, kept1, layer1, ..., logits   (prompt prefilled here)
 *                                 token, prompt0, layer0, prompt1, layer1, ..., logits (prompt from the host)
 *   every later token:            token, layer0, layer1, ..., logits
 * </pre>
 * <ul>
 *   <li>{@code token}: looks up the token's embedding in the table on the device; only
 *       {@code step = {position, token}} goes down;</li>
 *   <li>{@code kept<l>}: compacts layer l's kept prompt tokens into that layer's KV cache
 *       ({@code ScoringKernels.gatherKept}) from the keys and values {@code prefill<l>} left on the
 *       device; only the kept indices go down, once per generation. On the plan's first prompt it
 *       also runs, compacting nothing, right after {@code prefill<l>}: that links
 *       {@code prefill<l>}'s buffers into it (pitfall 6), and the link stays, since a graph's
 *       buffers are allocated once and kept;</li>
 *   <li>{@code prompt<l>}: the same from keys and values the host holds (a capture kept there, a
 *       model the device does not prefill). It runs once per generation: the prompt's keys, values
 *       and kept indices go down then, and never again;</li>
 *   <li>{@code layer<l>}: the transformer block for one token; the append writes the cache slot
 *       {@code kept + position - promptLength}, so the slot is computed on the device. With Q8_0,
 *       Q4_0 or F16 weights it is 6 launches ({@code FusedDecodeKernels}: norm + QKV + RoPE + append,
 *       and norm + gate/up + SwiGLU, each one kernel; the split-K attention's two passes; wo and
 *       down), else 15;</li>
 *   <li>{@code logits}: the final norm, the output projection and the logits' argmax (two launches,
 *       {@code Argmax}); the argmax comes back (4 bytes), the logits only when the sampler needs
 *       them ({@link #decode}; {@link #decodeGreedy} leaves them on the device).</li>
 * </ul>
 * Per decoded token, then, the bus carries 8 bytes down and 4 bytes (greedy) or the logits up,
 * whatever the prompt's length.
 *
 * <p>Why this shape: TornadoVM 5.2.0 links a buffer into a graph ({@code consumeFromDevice}) only
 * from the graph executed just before it ({@code TornadoTaskGraph.updatePersistedObjectState} reads
 * {@code lastExecutedTaskGraph}), and a graph whose last predecessor is not among its named sources
 * re-links every consumed object from that predecessor, which does not hold them. So every graph
 * names each of its possible predecessors as a source of exactly what that predecessor holds:
 * {@code layer<l>} takes x and step from {@code layer<l-1>} (or {@code token}) and, on a
 * generation's first token, x, step, the cache and its base from {@code prompt<l>} or
 * {@code kept<l>}, which pass x and step through. The link, once made, stays until the next
 * generation's compaction makes it again. The other ways out were closed: a {@code FIRST_EXECUTION} prompt is sent once per
 * plan, not per generation; {@code UNDER_DEMAND} towards the device only allocates (no copy-in
 * exists); {@code mapOnDeviceMemoryRegion} is unimplemented for Java arrays on OpenCL; and a fresh
 * plan per generation recompiles every kernel (the code cache is keyed by plan id).
 *
 * <p>The plan serves every generation whose prompt and cache capacities round up to the same
 * multiples of {@link #BUCKET}: sizes beyond the real ones are never read.
 */
final class TornadoDecoder implements DeviceDecoder, AutoCloseable {
    /** Prompt lengths and cache capacities are rounded up to this, so a plan serves many prompts. */
    static final int BUCKET = 256;
    private static final int TOKEN = 0;

    private final Model model;
    private final int nLayers;
    private final int nKvHeads;
    private final int headDim;
    private final int promptBucket;
    private final int[] capacity;     // device cache slots per layer (rounded up)
    private final int[] hostCapacity; // this generation's real capacity per layer
    private final int[] slot;         // next free cache slot per layer, for the overflow check
    private final int[] pending;      // per layer, the compaction graph the first token runs (0: none)
    private final int[] step = new int[2];   // {position, token}
    private final int[][] base;       // per layer {kept prompt tokens, prompt length}
    private final float[][] kPrompt;  // staging for compaction, [promptBucket][nKvHeads][headDim]
    private final float[][] vPrompt;
    private final int[][] kept;       // per layer [nKvHeads][count]
    private final float[] logits;
    private final int[] greedy = new int[1]; // the logits' argmax, computed on the device
    private final CountedPlan plan;
    private final DeviceTraffic traffic;
    private final GridScheduler grid = new GridScheduler(); // the fused kernels' and the prefill's work-group sizes
    private final TornadoPrefill prefill; // null: the prompt comes from the host
    private boolean linked;           // the kept<l> graphs have run once right after their prefill<l>
    private long prefillEpoch;        // prompts prefilled in this plan so far: the one in prefill<l>'s buffers
    private long keptEpoch = -1;      // the prompt the staged kept<l> compactions were selected from
    private int pins;                 // open captures whose keys/values are here: not to be freed for another plan
    private long generation;          // generations started here so far: the one whose cache the buffers hold
    private KvCache holder;           // that generation's host cache: the generation is open until it is closed
    private boolean closed;

    /**
     * With {@code prefillMode} (may be null) the plan holds the prefill graphs for that mode and
     * the {@code kept<l>} graphs, so the prompt's keys and values never leave the device.
     */
    TornadoDecoder(Model model, KvCache cache, int promptLength, TornadoPrefill.Mode prefillMode,
                   Function<Weight, DeviceWeight> weights, DeviceTraffic traffic) {
        this(model, capacities(cache), promptLength, prefillMode, weights, traffic);
        start(cache);
    }

    /**
     * A plan for caches of at most {@code cacheCapacity[l]} slots per layer (a capture's: the largest
     * of its policies' caches), no generation started yet.
     */
    TornadoDecoder(Model model, int[] cacheCapacity, int promptLength, TornadoPrefill.Mode prefillMode,
                   Function<Weight, DeviceWeight> weights, DeviceTraffic traffic) {
        this.model = model;
        this.traffic = traffic;
        ModelConfig c = model.config();
        nLayers = c.nLayers();
        nKvHeads = c.nKvHeads();
        headDim = c.headDim();
        promptBucket = bucket(promptLength);
        capacity = new int[nLayers];
        hostCapacity = new int[nLayers];
        slot = new int[nLayers];
        pending = new int[nLayers];
        base = new int[nLayers][2];
        kPrompt = new float[nLayers][];
        vPrompt = new float[nLayers][];
        kept = new int[nLayers][];
        float[] x = new float[c.dim()];
        logits = new float[model.output().rows()];
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int neox = c.arch().ropeNeox ? 1 : 0;

        prefill = prefillMode == null ? null
                : new TornadoPrefill(model, promptLength, prefillMode, weights, grid, TornadoDecoder::keptName);
        CountedGraph[] graphs = new CountedGraph[2 * nLayers + 2 + (prefill == null ? 0 : nLayers + prefill.graphs().length)];
        DeviceWeight embedding = weights.apply(model.tokenEmbedding());
        graphs[TOKEN] = new CountedGraph("token", true).every(step).first(embedding.data())
                .task(g -> embedding.embeddingTask(g, "embedding", step, x)).persist(x, step);
        for (int l = 0; l < nLayers; l++) {
            capacity[l] = bucket(cacheCapacity[l]);
            int maxKept = Math.min(promptBucket, capacity[l]);
            kPrompt[l] = new float[promptBucket * c.kvDim()];
            vPrompt[l] = new float[promptBucket * c.kvDim()];
            kept[l] = new int[nKvHeads * maxKept];
            float[] kCache = new float[nKvHeads * capacity[l] * headDim];
            float[] vCache = new float[kCache.length];
            String before = l == 0 ? "token" : layerName(l - 1);
            int cap = capacity[l];
            int[] kl = kept[l], bl = base[l];
            float[] kp = kPrompt[l], vp = vPrompt[l];
            graphs[promptGraph(l)] = new CountedGraph(promptName(l), false).consume(before, x, step).every(kp, vp, kl, bl)
                    .task(g -> g.task("compact", ScoringKernels::gatherKept, kp, vp, nKvHeads, headDim, kl, bl, maxKept,
                            cap, kCache, vCache))
                    .persist(x, step, kCache, vCache, bl);
            if (prefill != null) {
                float[] pk = prefill.keys(), pv = prefill.values(), px = prefill.residual();
                int[] pc = prefill.count();
                graphs[keptGraph(l)] = new CountedGraph(keptName(l), false).consume(before, x, step)
                        // On the plan's first prompt it runs right after prefill<l> and passes x and count on.
                        .consume(TornadoPrefill.layerName(l), pk, pv, px, pc)
                        .consume(prefill.selectionNames(l), pk, pv, px, pc) // or from the selection graphs after it
                        .every(kl, bl)
                        .task(g -> g.task("compact", ScoringKernels::gatherKept, pk, pv, nKvHeads, headDim, kl, bl,
                                maxKept, cap, kCache, vCache))
                        .persist(x, step, kCache, vCache, bl, px, pc);
            }
            graphs[layerGraph(l)] = layerGraph(l, before, model, c, weights, x, kCache, vCache, scale, neox);
        }
        float[] last = new float[c.dim()];
        float[] outputNorm = model.outputNorm();
        DeviceWeight output = weights.apply(model.output());
        int vocab = logits.length, blocks = Argmax.blocks(vocab);
        int[] blockIndex = new int[blocks];
        float[] blockValue = new float[blocks];
        graphs[logitsGraph()] = new CountedGraph("logits", true).consume(layerName(nLayers - 1), x)
                .first(outputNorm, output.data(), last, blockIndex, blockValue)
                .task(g -> g.task("norm", LayerKernels::rmsnorm, last, x, outputNorm, 1, c.dim(), c.normEps()))
                .task(g -> output.matmulTask(g, "output", last, logits, 1))
                .task(g -> g.task("argmaxBlocks", LayerKernels::argmaxBlocks, logits, vocab, blockIndex, blockValue, blocks))
                .task(g -> g.task("argmax", LayerKernels::argmaxOfBlocks, blockIndex, blockValue, blocks, greedy))
                .back(greedy)       // 4 bytes: all a greedy token needs
                .onDemand(logits);  // only when the sampler needs them (decode, not decodeGreedy)
        if (prefill != null) {
            CountedGraph[] p = prefill.graphs();
            System.arraycopy(p, 0, graphs, prefillGraph(), p.length);
        }
        plan = new CountedPlan(traffic, grid, graphs);
        if (prefill != null) prefill.attach(plan, prefillGraph());
    }

    static int[] capacities(KvCache cache) {
        int[] c = new int[cache.nLayers()];
        for (int l = 0; l < c.length; l++) c[l] = cache.capacity(l);
        return c;
    }

    static int bucket(int n) {
        return Math.ceilDiv(Math.max(n, 1), BUCKET) * BUCKET;
    }

    private static int promptGraph(int l) {
        return 1 + 2 * l;
    }

    private static int layerGraph(int l) {
        return 2 + 2 * l;
    }

    private int logitsGraph() {
        return 2 * nLayers + 1;
    }

    private int keptGraph(int l) {
        return 2 * nLayers + 2 + l;
    }

    private int prefillGraph() {
        return 3 * nLayers + 2;
    }

    private static String keptName(int l) {
        return "kept" + l;
    }

    private static String promptName(int l) {
        return "prompt" + l;
    }

    private static String layerName(int l) {
        return "layer" + l;
    }

    /**
     * Fused, when Q/K/V and gate/up share a type {@code FusedDecodeKernels} takes (Q8_0, Q4_0, F16):
     * rmsnorm+q,k,v+rope+append (at the slot it computes) → attention partials → attention combine →
     * wo (+x) → rmsnorm+gate,up+SwiGLU → down (+x), 6 launches. Else: rmsnorm → q,k,v → rope → append
     * → attention partials → combine → wo (+x) → rmsnorm → gate, up → SwiGLU → down (+x), 15. The
     * attention is split-K ({@code SplitAttention}): one work item per query head and block of
     * {@code SplitAttention.SLOTS} cache slots, then one per output element to combine them, so a long
     * cache keeps a GPU busy; both passes count as the attention's device time.
     */
    private CountedGraph layerGraph(int l, String before, Model model, ModelConfig c, Function<Weight, DeviceWeight> weights,
                                    float[] x, float[] kCache, float[] vCache, float scale, int neox) {
        LayerWeights lw = model.layer(l);
        DeviceWeight wq = weights.apply(lw.wq()), wk = weights.apply(lw.wk()), wv = weights.apply(lw.wv());
        DeviceWeight wo = weights.apply(lw.wo()), gate = weights.apply(lw.gate()), up = weights.apply(lw.up());
        DeviceWeight down = weights.apply(lw.down());
        int dim = c.dim();
        float[] xb = new float[dim], q = new float[c.qDim()], k = new float[c.kvDim()], v = new float[c.kvDim()];
        float[] att = new float[c.qDim()], g = new float[c.ffnDim()], u = new float[c.ffnDim()];
        float[] invFreq = model.ropeInvFreq();
        int[] bl = base[l];
        int cap = capacity[l];
        // Split-K attention's scratch: per query head and split, a max, a sum and an output row.
        int splits = SplitAttention.splits(cap);
        float[] partMax = new float[c.nHeads() * splits], partSum = new float[partMax.length];
        float[] partOut = new float[partMax.length * headDim];
        if (FusedDecodeKernels.fusable(wq, wk, wv) >= 0 && FusedDecodeKernels.fusable(gate, up) >= 0) {
            return fromCompaction(new CountedGraph(layerName(l), true).consume(before, x, step), l, x, step, kCache,
                            vCache, bl)
                    .first(lw.attnNorm(), lw.ffnNorm(), invFreq, wq.data(), wk.data(), wv.data(), wo.data(), gate.data(),
                            up.data(), down.data())
                    .first(q, att, g, partMax, partSum, partOut) // scratch, written first: only allocated
                    .task(t -> FusedDecodeKernels.normQkvRopeTask(t, grid, "qkv", x, lw.attnNorm(), wq, wk, wv, q, kCache,
                            vCache, step, bl, invFreq, c.normEps(), c.nHeads(), nKvHeads, headDim, cap, neox == 1))
                    .task(t -> t.task(CountedPlan.ATTENTION, LayerKernels::attentionPartial, q, kCache, vCache, cap, step,
                            bl, c.nHeads(), nKvHeads, headDim, scale, splits, partMax, partSum, partOut))
                    .task(t -> t.task(CountedPlan.ATTENTION_COMBINE, LayerKernels::attentionCombine, partMax, partSum,
                            partOut, att, step, bl, c.nHeads(), headDim, splits))
                    .task(t -> wo.residualTask(t, "wo", att, x))
                    .task(t -> FusedDecodeKernels.normGateUpSwigluTask(t, grid, "ffn", x, lw.ffnNorm(), gate, up, g,
                            c.normEps()))
                    .task(t -> down.residualTask(t, "down", g, x))
                    .persist(x, step);
        }
        return fromCompaction(new CountedGraph(layerName(l), true).consume(before, x, step), l, x, step, kCache, vCache,
                        bl)
                .first(lw.attnNorm(), lw.ffnNorm(), invFreq, wq.data(), wk.data(), wv.data(), wo.data(), gate.data(),
                        up.data(), down.data())
                // Scratch: every task argument must be declared; written before read, so only allocated.
                .first(xb, q, k, v, att, g, u, partMax, partSum, partOut)
                .task(t -> t.task("attnNorm", LayerKernels::rmsnorm, xb, x, lw.attnNorm(), 1, dim, c.normEps()))
                .task(t -> wq.matmulTask(t, "q", xb, q, 1))
                .task(t -> wk.matmulTask(t, "k", xb, k, 1))
                .task(t -> wv.matmulTask(t, "v", xb, v, 1))
                .task(t -> t.task("ropeQ", LayerKernels::rope, q, 1, c.nHeads(), headDim, step, invFreq, neox))
                .task(t -> t.task("ropeK", LayerKernels::rope, k, 1, nKvHeads, headDim, step, invFreq, neox))
                .task(t -> t.task("append", LayerKernels::appendAt, k, v, kCache, vCache, nKvHeads, headDim, cap, step, bl))
                .task(t -> t.task(CountedPlan.ATTENTION, LayerKernels::attentionPartial, q, kCache, vCache, cap, step, bl,
                        c.nHeads(), nKvHeads, headDim, scale, splits, partMax, partSum, partOut))
                .task(t -> t.task(CountedPlan.ATTENTION_COMBINE, LayerKernels::attentionCombine, partMax, partSum, partOut,
                        att, step, bl, c.nHeads(), headDim, splits))
                .task(t -> wo.residualTask(t, "wo", att, x))
                .task(t -> t.task("ffnNorm", LayerKernels::rmsnorm, xb, x, lw.ffnNorm(), 1, dim, c.normEps()))
                .task(t -> gate.matmulTask(t, "gate", xb, g, 1))
                .task(t -> up.matmulTask(t, "up", xb, u, 1))
                .task(t -> t.task("swiglu", LayerKernels::swiglu, g, u, 1, c.ffnDim()))
                .task(t -> down.residualTask(t, "down", g, x))
                .persist(x, step);
    }

    /** {@code layer<l>}'s sources on a generation's first token: the graph that compacted its cache, with it. */
    private CountedGraph fromCompaction(CountedGraph layer, int l, Object... arrays) {
        layer.consume(promptName(l), arrays);
        if (prefill != null) layer.consume(keptName(l), arrays);
        return layer;
    }

    /**
     * True when this plan fits a generation of {@code model} with this prompt length and cache, so it
     * can be reused: for a prompt prefilled here ({@code mode} not null), its prefill must be of that mode.
     */
    boolean fits(Model m, KvCache cache, int n, TornadoPrefill.Mode mode) {
        return fits(m, capacities(cache), n, mode);
    }

    /** {@link #fits(Model, KvCache, int, TornadoPrefill.Mode)} for caches of {@code cacheCapacity[l]} slots. */
    boolean fits(Model m, int[] cacheCapacity, int n, TornadoPrefill.Mode mode) {
        if (mode != null && (prefill == null || !prefill.mode().equals(mode))) return false;
        if (m != model || bucket(n) != promptBucket || cacheCapacity.length != nLayers) return false;
        for (int l = 0; l < nLayers; l++) {
            if (bucket(cacheCapacity[l]) != capacity[l]) return false;
        }
        return true;
    }

    /**
     * True when a generation with {@code cache} can decode in this plan: each layer's cache no larger
     * than the plan's (attention reads only the slots filled, so a smaller one is correct).
     */
    boolean holds(KvCache cache) {
        if (cache.nLayers() != nLayers) return false;
        for (int l = 0; l < nLayers; l++) {
            if (cache.capacity(l) > capacity[l]) return false;
        }
        return true;
    }

    /** Keeps this plan open while a capture's keys and values are in it ({@link #unpin}). */
    void pin() {
        pins++;
    }

    void unpin() {
        if (pins > 0) pins--;
    }

    boolean pinned() {
        return pins > 0;
    }

    /** Which prompt {@code prefill<l>}'s buffers hold: it counts the prompts prefilled in this plan. */
    long prefillEpoch() {
        return prefillEpoch;
    }

    /**
     * Starts a generation with this cache: every layer waits for its {@link #compact}. The plan's
     * cache buffers, staging and slots are the generation's from now on; returns its ticket, which
     * {@link #checkGeneration} compares, since an earlier generation still decoding here would read
     * this one's keys and values.
     */
    long start(KvCache cache) {
        for (int l = 0; l < nLayers; l++) {
            hostCapacity[l] = cache.capacity(l);
            slot[l] = 0;
            pending[l] = 0;
        }
        holder = cache;
        return ++generation;
    }

    /**
     * The cache buffers belong to no generation any more: a capture prefills here (its first prompt's
     * link writes every layer's base).
     */
    void disown() {
        holder = null;
        generation++;
    }

    /**
     * True while the generation that started last here is open (its host cache not closed): its
     * decode would break if another generation took the plan, so the backend gives that one another.
     */
    boolean held() {
        return holder != null && !holder.isFreed();
    }

    /**
     * The generation with {@code ticket} (from {@link #start}) may still use the plan's cache: no
     * later generation started here and the plan is open. Otherwise it would decode, silently,
     * against another generation's keys and values.
     */
    void checkGeneration(long ticket) {
        if (closed) {
            throw new IllegalStateException("this generation's TornadoVM decode plan was freed for another (more than "
                    + TornadoBackend.DECODE_PLANS + " plans in use); close a generation (Transformer.close) when it is done,"
                    + " and keep at most " + TornadoBackend.DECODE_PLANS + " open on the tornado backend");
        }
        if (ticket != generation) {
            throw new IllegalStateException("another generation took this one's TornadoVM decode plan (generation "
                    + generation + " of the plan started after this one, " + ticket + "): its device KV cache now holds"
                    + " the other's keys and values. Decode one restore of a capture to its end before restoring the next,"
                    + " close a generation (Transformer.close) when it is done, and keep at most "
                    + TornadoBackend.DECODE_PLANS + " open on the tornado backend");
        }
    }

    /** True when every weight, the token embedding included, has a device kernel and the layers have no biases (qwen2's). */
    static boolean supports(Model model) {
        if (!DeviceWeight.supports(model.output().type()) || !DeviceWeight.supports(model.tokenEmbedding().type())) {
            return false;
        }
        for (int l = 0; l < model.config().nLayers(); l++) {
            LayerWeights w = model.layer(l);
            if (w.bq() != null || w.bk() != null || w.bv() != null || w.qNorm() != null) return false;
            for (Weight m : new Weight[] {w.wq(), w.wk(), w.wv(), w.wo(), w.gate(), w.up(), w.down()}) {
                if (!DeviceWeight.supports(m.type())) return false;
            }
        }
        return true;
    }

    /**
     * Runs the prompt through this plan's prefill graphs, which leave every layer's keys and values
     * on the device (see {@link TornadoPrefill#run}); the sink's compaction then comes back through
     * {@link #compactKept}. On the plan's first prompt each {@code kept<l>} runs once right after
     * {@code prefill<l>}, compacting nothing, to link that layer's buffers.
     */
    float[] prefill(int[] tokens, Transformer.LayerSink sink, DeviceSelection[][] specs, Backend host) {
        int n = tokens.length;
        prefillEpoch++; // before the graphs run: a failed prefill leaves the buffers unknown as well
        IntConsumer link = linked ? null : l -> {
            base[l][0] = 0; // nothing to compact yet: the kernel only reads the count
            base[l][1] = n;
            plan.execute(keptGraph(l));
        };
        float[] out = prefill.run(tokens, sink, specs, host, link);
        linked = true;
        return out;
    }

    /** True when this plan prefills (its prompt's keys and values can stay on the device). */
    boolean prefills() {
        return prefill != null;
    }

    /** Stages the layer's prompt keys/values and kept indices; they go down once, with the generation's first token. */
    @Override
    public void compact(int layer, float[] k, float[] v, int n, KeptTokens keptTokens) {
        stage(layer, n, keptTokens, 1);
        int kvDim = nKvHeads * headDim;
        System.arraycopy(k, 0, kPrompt[layer], 0, n * kvDim);
        System.arraycopy(v, 0, vPrompt[layer], 0, n * kvDim);
    }

    /**
     * Stages the layer's kept indices for {@code kept<l>}, which compacts them from the keys and
     * values this plan's prefill left on the device; only the indices go down, with the first token.
     */
    void compactKept(int layer, int n, KeptTokens keptTokens, long epoch) {
        if (prefill == null) throw new IllegalStateException("this plan did not prefill the prompt");
        checkEpoch(epoch);
        stage(layer, n, keptTokens, 2);
        keptEpoch = epoch;
    }

    /**
     * The keys and values of prompt {@code epoch} (a {@link #prefillEpoch}) must still be in
     * {@code prefill<l>}'s buffers: another prompt prefilled here since would be compacted in their
     * place, silently.
     */
    private void checkEpoch(long epoch) {
        if (epoch != prefillEpoch) {
            throw new IllegalStateException("the prompt's keys and values on the device were overwritten: prompt "
                    + epoch + " of this plan was selected from, prompt " + prefillEpoch + " prefilled since; restore a"
                    + " capture before the next prompt is prefilled (or close it first)");
        }
    }

    private void stage(int layer, int n, KeptTokens keptTokens, int graph) {
        int count = keptTokens.count();
        if (count > hostCapacity[layer] || n > promptBucket) {
            throw new IllegalStateException("layer " + layer + ": " + count + " kept of " + n + " do not fit the device cache");
        }
        int[] flat = keptTokens.flat(nKvHeads);
        System.arraycopy(flat, 0, kept[layer], 0, flat.length);
        base[layer][0] = count;
        base[layer][1] = n;
        slot[layer] = count;
        pending[layer] = graph;
    }

    /** Runs the token and brings back its logits: the sampler needs them all. */
    @Override
    public float[] decode(int token, int position) {
        run(token, position);
        plan.fetch(logitsGraph(), logits);
        return logits.clone();
    }

    /** Runs the token and brings back only the argmax of its logits, computed on the device (4 bytes). */
    @Override
    public int decodeGreedy(int token, int position) {
        run(token, position);
        return greedy[0];
    }

    private void run(int token, int position) {
        for (int l = 0; l < nLayers; l++) {
            if (slot[l] >= hostCapacity[l]) {
                throw new IllegalStateException("layer " + l + " is full (" + hostCapacity[l] + " tokens)");
            }
            if (position - base[l][1] != slot[l] - base[l][0]) {
                throw new IllegalStateException("layer " + l + ": position " + position + " does not follow the prompt");
            }
        }
        for (int l = 0; l < nLayers; l++) {
            if (pending[l] == 2) checkEpoch(keptEpoch);
        }
        step[0] = position;
        step[1] = token;
        plan.execute(TOKEN);
        for (int l = 0; l < nLayers; l++) {
            if (pending[l] != 0) {
                plan.execute(pending[l] == 1 ? promptGraph(l) : keptGraph(l));
                pending[l] = 0;
            }
            plan.execute(layerGraph(l));
            slot[l]++;
        }
        plan.execute(logitsGraph());
        traffic.decodedToken();
    }

    @Override
    public void close() {
        closed = true;
        holder = null;
        plan.close();
    }
}
