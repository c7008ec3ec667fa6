package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.backend.DeviceDecoder;
import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.model.LayerWeights;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.ModelConfig;
import dev.windowkv.engine.model.Weight;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

import java.util.function.Function;

/**
 * One generation's decode on the device, as one {@link TornadoExecutionPlan} with a task graph per
 * layer and one for the logits:
 * <ul>
 *   <li>{@code layer<l>}: the whole transformer block for one token. Its first task compacts the
 *       kept prompt tokens into the layer's KV cache ({@code KvCompaction.gatherF32}); it runs on the
 *       first execution only (the count it reads is 0 afterwards). The cache is that graph's own
 *       device buffer, so it stays on the device between tokens, and the append writes into it;</li>
 *   <li>the residual stream {@code x} goes from each graph to the next ({@code persistOnDevice} /
 *       {@code consumeFromDevice}); weights go over on the first execution only;</li>
 *   <li>{@code logits}: the final norm and output projection; only the logits come back.</li>
 * </ul>
 * The position and each layer's next cache slot travel in a two-int array per layer, so the kernels
 * compile once per plan, and the backend reuses a plan for the next generation of the same shape. Two TornadoVM 5.2.0 rules shape this: a graph consumes buffers only
 * from the graph executed just before it, and an array whose first use in a graph is a write is
 * allocated without copy-in (so a cache cannot be uploaded into a graph whose first cache task is
 * the append); compaction inside the layer graph sidesteps both.
 */
final class TornadoDecoder implements DeviceDecoder, AutoCloseable {
    private final int nLayers;
    private final int nKvHeads;
    private final int headDim;
    private final int[] capacity;
    private final int[] slot;         // next free cache slot per layer
    private final int[][] at;         // per layer {position, slot}, sent each execution
    private final float[][] kPrefill; // staging for compaction, [n][nKvHeads][headDim]
    private final float[][] vPrefill;
    private final int[][] kept;       // per layer [nKvHeads][count]
    private final int[][] compacting; // per layer {tokens to gather}: the kept count once, then 0
    private final float[] x;
    private final float[] logits;
    private final TornadoExecutionPlan plan;

    private final Model model;
    private final int promptLength;

    TornadoDecoder(Model model, KvCache cache, int promptLength, Function<Weight, DeviceWeight> weights) {
        this.model = model;
        this.promptLength = promptLength;
        ModelConfig c = model.config();
        nLayers = c.nLayers();
        nKvHeads = c.nKvHeads();
        headDim = c.headDim();
        capacity = new int[nLayers];
        slot = new int[nLayers];
        at = new int[nLayers][2];
        kPrefill = new float[nLayers][];
        vPrefill = new float[nLayers][];
        kept = new int[nLayers][];
        compacting = new int[nLayers][1];
        x = new float[c.dim()];
        logits = new float[model.output().rows()];
        int kvDim = c.kvDim();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int neox = c.arch().ropeNeox ? 1 : 0;

        ImmutableTaskGraph[] graphs = new ImmutableTaskGraph[nLayers + 1];
        for (int l = 0; l < nLayers; l++) {
            capacity[l] = cache.capacity(l);
            kPrefill[l] = new float[promptLength * kvDim];
            vPrefill[l] = new float[promptLength * kvDim];
            kept[l] = new int[nKvHeads * Math.min(promptLength, capacity[l])];
            graphs[l] = layerGraph(l, model, c, weights, promptLength, scale, neox);
        }
        TaskGraph out = new TaskGraph("logits").consumeFromDevice(layerGraph(nLayers - 1), x);
        float[] last = new float[c.dim()];
        float[] outputNorm = model.outputNorm();
        DeviceWeight output = weights.apply(model.output());
        out.transferToDevice(DataTransferMode.FIRST_EXECUTION, outputNorm, output.data(), last)
                .task("norm", LayerKernels::rmsnorm, last, x, outputNorm, 1, c.dim(), c.normEps());
        output.matmulTask(out, "output", last, logits, 1);
        graphs[nLayers] = out.transferToHost(DataTransferMode.EVERY_EXECUTION, logits).snapshot();
        plan = new TornadoExecutionPlan(graphs);
    }

    private static String layerGraph(int l) {
        return "layer" + l;
    }

    /** (compaction) → rmsnorm → q,k,v → rope → append → attention → wo (+x) → rmsnorm → gate, up → SwiGLU → down (+x). */
    private ImmutableTaskGraph layerGraph(int l, Model model, ModelConfig c, Function<Weight, DeviceWeight> weights,
                                          int promptLength, float scale, int neox) {
        LayerWeights lw = model.layer(l);
        DeviceWeight wq = weights.apply(lw.wq()), wk = weights.apply(lw.wk()), wv = weights.apply(lw.wv());
        DeviceWeight wo = weights.apply(lw.wo()), gate = weights.apply(lw.gate()), up = weights.apply(lw.up());
        DeviceWeight down = weights.apply(lw.down());
        int dim = c.dim();
        float[] xb = new float[dim], q = new float[c.qDim()], k = new float[c.kvDim()], v = new float[c.kvDim()];
        float[] att = new float[c.qDim()], g = new float[c.ffnDim()], u = new float[c.ffnDim()];
        float[] invFreq = model.ropeInvFreq();
        float[] kCache = new float[nKvHeads * capacity[l] * headDim];
        float[] vCache = new float[kCache.length];
        int maxKept = Math.min(promptLength, capacity[l]);

        TaskGraph t = new TaskGraph(layerGraph(l));
        if (l == 0) {
            t.transferToDevice(DataTransferMode.EVERY_EXECUTION, x);
        } else {
            t.consumeFromDevice(layerGraph(l - 1), x);
        }
        // The prefill keys/values go every execution so that the backend can reuse this plan (and its
        // compiled kernels) for the next generation of the same shape; they are read once.
        t.transferToDevice(DataTransferMode.EVERY_EXECUTION, at[l], compacting[l], kPrefill[l], vPrefill[l], kept[l])
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, lw.attnNorm(), lw.ffnNorm(), invFreq, wq.data(),
                        wk.data(), wv.data(), wo.data(), gate.data(), up.data(), down.data())
                // Scratch: every task argument must be declared; written before read, so only allocated.
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, xb, q, k, v, att, g, u, kCache, vCache)
                .task("compact", ScoringKernels::gatherKept, kPrefill[l], vPrefill[l], nKvHeads, headDim, kept[l],
                        compacting[l], maxKept, capacity[l], kCache, vCache)
                .task("attnNorm", LayerKernels::rmsnorm, xb, x, lw.attnNorm(), 1, dim, c.normEps());
        wq.matmulTask(t, "q", xb, q, 1);
        wk.matmulTask(t, "k", xb, k, 1);
        wv.matmulTask(t, "v", xb, v, 1);
        t.task("ropeQ", LayerKernels::rope, q, 1, c.nHeads(), headDim, at[l], invFreq, neox)
                .task("ropeK", LayerKernels::rope, k, 1, nKvHeads, headDim, at[l], invFreq, neox)
                .task("append", LayerKernels::appendKv, k, v, kCache, vCache, nKvHeads, headDim, capacity[l], at[l])
                .task("attention", LayerKernels::attentionDecode, q, kCache, vCache, att, capacity[l], at[l],
                        c.nHeads(), nKvHeads, headDim, scale);
        wo.residualTask(t, "wo", att, x);
        t.task("ffnNorm", LayerKernels::rmsnorm, xb, x, lw.ffnNorm(), 1, dim, c.normEps());
        gate.matmulTask(t, "gate", xb, g, 1);
        up.matmulTask(t, "up", xb, u, 1);
        t.task("swiglu", LayerKernels::swiglu, g, u, 1, c.ffnDim());
        down.residualTask(t, "down", g, x);
        return t.persistOnDevice(x).snapshot();
    }

    /** True when this plan fits a generation of {@code model} with this prompt length and cache, so it can be reused. */
    boolean fits(Model m, KvCache cache, int n) {
        if (m != model || n != promptLength || cache.nLayers() != nLayers) return false;
        for (int l = 0; l < nLayers; l++) {
            if (cache.capacity(l) != capacity[l]) return false;
        }
        return true;
    }

    /** True when every weight has a device kernel and the layers have no biases (qwen2's). */
    static boolean supports(Model model) {
        if (!DeviceWeight.supports(model.output().type())) return false;
        for (int l = 0; l < model.config().nLayers(); l++) {
            LayerWeights w = model.layer(l);
            if (w.bq() != null || w.bk() != null || w.bv() != null || w.qNorm() != null) return false;
            for (Weight m : new Weight[] {w.wq(), w.wk(), w.wv(), w.wo(), w.gate(), w.up(), w.down()}) {
                if (!DeviceWeight.supports(m.type())) return false;
            }
        }
        return true;
    }

    @Override
    public void compact(int layer, float[] k, float[] v, int n, KeptTokens keptTokens) {
        int count = keptTokens.count();
        if (count > capacity[layer] || n * nKvHeads * headDim != kPrefill[layer].length) {
            throw new IllegalStateException("layer " + layer + ": " + count + " kept of " + n + " do not fit the device cache");
        }
        System.arraycopy(k, 0, kPrefill[layer], 0, kPrefill[layer].length);
        System.arraycopy(v, 0, vPrefill[layer], 0, vPrefill[layer].length);
        int[] flat = keptTokens.flat(nKvHeads);
        System.arraycopy(flat, 0, kept[layer], 0, flat.length);
        compacting[layer][0] = count;
        slot[layer] = count;
    }

    @Override
    public float[] decode(float[] embedding, int position) {
        System.arraycopy(embedding, 0, x, 0, x.length);
        for (int l = 0; l < nLayers; l++) {
            if (slot[l] >= capacity[l]) {
                throw new IllegalStateException("layer " + l + " is full (" + capacity[l] + " tokens)");
            }
            at[l][0] = position;
            at[l][1] = slot[l];
            plan.withGraph(l).execute();
            compacting[l][0] = 0;
            slot[l]++;
        }
        plan.withGraph(nLayers).execute();
        return logits.clone();
    }

    @Override
    public void close() {
        DevicePlans.close(plan);
    }
}
