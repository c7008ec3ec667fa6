package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.DeviceCapture;
import dev.windowkv.engine.backend.DeviceCounters;
import dev.windowkv.engine.backend.DeviceDecoder;
import dev.windowkv.engine.backend.VectorBackend;
import dev.windowkv.engine.kvcache.DeviceSelection;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.Transformer;
import dev.windowkv.engine.model.Weight;

import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The {@code tornado} backend. Decode runs whole layers on TornadoVM's default device
 * ({@link TornadoDecoder}: KV cache compacted into and kept in device memory, Q8_0/F16/F32 weights
 * resident). The prefill runs there too ({@link TornadoPrefill}, one plan per prompt-length
 * bucket). A generation's prefill runs inside its decoder's plan, so the prompt's keys and values
 * stay on the device and only the policy's selection comes back. A sweep's capture (one prefill
 * restored under several policies) prefills in a decode plan of its own that every restore reuses
 * ({@link TornadoCapture}), its keys and values on the device too, when every policy selects there;
 * else, and for a prefill on its own, they come back once per prompt. A model the decoder cannot run
 * (other weight types, biases) decodes op by op with its matmuls on the device. Loaded reflectively
 * by {@code Backends.create("tornado")}, so the engine builds without TornadoVM.
 */
public final class TornadoBackend implements Backend {
    private final VectorBackend host;
    private final Map<Weight, DeviceMatmul> resident = new IdentityHashMap<>();
    private final Map<Weight, DeviceWeight> deviceWeights = new IdentityHashMap<>();
    /**
     * Decode plans, most recently used first, at most {@link #DECODE_PLANS}: one per prompt-length
     * bucket in use, so prompts alternating between two buckets (a sweep) compile each once, or one
     * per open generation of a bucket ({@link #plan}); more while captures stay open. Each holds its
     * own copy of the weights (TornadoVM 5.2.0 shares no buffer between plans).
     */
    private final List<TornadoDecoder> decoders = new ArrayList<>();
    static final int DECODE_PLANS = 2;
    /** Prefill plans, most recently used first, at most {@link #PREFILL_PLANS}: one per prompt-length bucket in use. */
    private final List<TornadoPrefill> prefills = new ArrayList<>();
    static final int PREFILL_PLANS = 2;
    private int decodePlansBuilt;
    private int prefillPlansBuilt;
    private DeviceScoring scoring;  // the last scoring shape's plan
    private DeviceWindowOrder windows; // the last WindowKV selection shape's plan
    private boolean noticed;        // the one-line notice of an op-by-op decode was printed
    private final DeviceTraffic traffic;

    private final String device;

    /** {@code -Dwindowkv.tornado.profiler=true}: start with TornadoVM's profiler (the counters' bytes and kernel times from it). */
    static final String PROFILER_PROPERTY = "windowkv.tornado.profiler";

    /** Asks TornadoVM for its default device first, so a JVM without TornadoVM fails here (Backends reports it). */
    public TornadoBackend(int threads) {
        this(threads, Boolean.getBoolean(PROFILER_PROPERTY));
    }

    /**
     * Starts with TornadoVM's profiler ({@code ProfilerMode.SILENT} on every plan: bytes from it, and
     * kernel times) when {@code profiled}, else counting the sizes each graph declares; the system
     * property {@value #PROFILER_PROPERTY} picks it for the public constructor, and
     * {@link #profileKernels} switches it later.
     */
    TornadoBackend(int threads, boolean profiled) {
        traffic = new DeviceTraffic(profiled);
        TornadoDevice d = TornadoExecutionPlan.getDevice(0, 0);
        // Short, for the plot's bar labels: PoCL names its device after the CPU, which the report has.
        this.device = d.getPlatformName().contains("Portable Computing Language") ? "PoCL CPU"
                : d.getPhysicalDevice().getDeviceName().trim();
        this.host = new VectorBackend(threads);
    }

    @Override
    public String name() {
        return "tornado";
    }

    /** TornadoVM's default device: its name, or "PoCL CPU". */
    @Override
    public String device() {
        return device;
    }

    @Override
    public int threads() {
        return host.threads();
    }

    @Override
    public void parallelFor(int n, IntConsumer body) {
        host.parallelFor(n, body);
    }

    @Override
    public void matmul(Weight w, float[] x, int nTokens, float[] out) {
        if (nTokens != 1 || !DeviceWeight.supports(w.type())) {
            host.matmul(w, x, nTokens, out);
            return;
        }
        DeviceMatmul m = resident.get(w);
        if (m == null) {
            m = new DeviceMatmul("w" + resident.size(), w, 1, traffic);
            resident.put(w, m);
        }
        m.apply(x, out);
    }

    /**
     * The observation-window scores on the device ({@link DeviceScoring}); selection stays with the
     * policy. Only for the host's selection (several policies, or one without a device selection):
     * otherwise the prefill plan scores and selects itself.
     */
    @Override
    public float[] attentionMass(float[] q, float[] k, int n, int nHeads, int nKvHeads, int headDim, int firstQuery,
                                 int causalFrom, int keyCount) {
        if (n - firstQuery <= 0 || keyCount == 0) {
            return new float[nHeads * keyCount];
        }
        DeviceScoring.Shape shape = new DeviceScoring.Shape(n, nHeads, nKvHeads, headDim, firstQuery, causalFrom, keyCount);
        if (scoring == null || !scoring.shape().equals(shape)) {
            if (scoring != null) scoring.close();
            scoring = new DeviceScoring(shape, traffic);
        }
        return scoring.run(q, k);
    }

    /** WindowKV's scoring, pooling and ranking on the device ({@link DeviceWindowOrder}); only the order comes back. */
    @Override
    public int[] windowOrder(float[] q, float[] k, int n, int nHeads, int nKvHeads, int headDim, int review,
                             int windowSize, int topM) {
        DeviceWindowOrder.Shape shape = new DeviceWindowOrder.Shape(n, nHeads, nKvHeads, headDim, review, windowSize, topM);
        if (windows == null || !windows.shape().equals(shape)) {
            if (windows != null) windows.close();
            windows = new DeviceWindowOrder(shape, traffic);
        }
        return windows.run(q, k);
    }

    /**
     * The prefill on the device ({@link TornadoPrefill}), with the policy's selection in it when the
     * sink's {@code DeviceSelection}s allow ({@link TornadoPrefill.Mode}), through a plan compiled for
     * an earlier prompt of the same length bucket and mode when there is one (the least recently used is freed past
     * {@link #PREFILL_PLANS}); null, and the transformer prefills op by op on the host, when the
     * model has weights, biases or head sizes without device kernels. When the sink names a decoder
     * of this backend ({@code LayerSink.decoder}: a generation's prefill), the prefill runs in that
     * decoder's plan instead, and the keys and values stay on the device for its decode.
     */
    @Override
    public float[] prefill(Model model, int[] tokens, Transformer.LayerSink sink) {
        if (!TornadoPrefill.supports(model)) return null;
        DeviceSelection[][] specs = new DeviceSelection[model.config().nLayers()][];
        for (int l = 0; l < specs.length; l++) specs[l] = sink.deviceSelections(l, tokens.length);
        TornadoPrefill.Mode mode = TornadoPrefill.Mode.of(specs);
        if (sink.decoder() instanceof TornadoGeneration g && g.of(this)) {
            return g.prefill(tokens, sink, specs, mode, host); // in the decoder's plan: the keys/values stay
        }
        if (sink.capture() instanceof TornadoCapture c && c.of(this)) {
            return c.prefill(tokens, sink, specs, mode, host); // in the capture's plan: the keys/values stay
        }
        TornadoPrefill p = null;
        for (TornadoPrefill candidate : prefills) {
            if (candidate.fits(model, tokens.length, mode)) {
                p = candidate;
                break;
            }
        }
        if (p != null) {
            prefills.remove(p);
        } else {
            while (prefills.size() >= PREFILL_PLANS) prefills.removeLast().close();
            p = new TornadoPrefill(model, tokens.length, mode, w -> deviceWeights.computeIfAbsent(w, DeviceWeight::of),
                    traffic);
            prefillPlansBuilt++;
        }
        prefills.addFirst(p);
        return p.run(tokens, sink, specs, host);
    }

    /** Decode plans built so far (each compiles on its first token). */
    int decodePlansBuilt() {
        return decodePlansBuilt;
    }

    /** Prefill plans built so far, on their own or inside a decode plan (each compiles on its first prompt). */
    int prefillPlansBuilt() {
        return prefillPlansBuilt;
    }

    @Override
    public void embedding(Weight w, int row, float[] out, int outOff) {
        host.embedding(w, row, out, outOff);
    }

    @Override
    public void rmsnorm(float[] out, float[] x, float[] weight, int nTokens, int dim, float eps) {
        host.rmsnorm(out, x, weight, nTokens, dim, eps);
    }

    @Override
    public void rope(float[] x, int nTokens, int nHeads, int headDim, int pos0, float[] invFreq, boolean neox) {
        host.rope(x, nTokens, nHeads, headDim, pos0, invFreq, neox);
    }

    @Override
    public void attentionPrefill(float[] q, float[] k, float[] v, float[] out, int nTokens, int nHeads, int nKvHeads,
                                 int headDim) {
        host.attentionPrefill(q, k, v, out, nTokens, nHeads, nKvHeads, headDim);
    }

    @Override
    public void attentionDecode(float[] q, KvCache cache, int layer, float[] out, int nHeads) {
        host.attentionDecode(q, cache, layer, out, nHeads);
    }

    @Override
    public void prefillStarts(int keys, int nKvHeads, int headDim) {
        host.prefillStarts(keys, nKvHeads, headDim);
    }

    @Override
    public void prefillEnds() {
        host.prefillEnds();
    }

    @Override
    public void swiglu(float[] gate, float[] up, int nTokens, int dim) {
        host.swiglu(gate, up, nTokens, dim);
    }

    /**
     * The whole-layer decode for a new generation ({@link TornadoGeneration}, whose plan is chosen
     * when its prompt arrives: {@link #decodePlan}); or null with a one-line notice when the model
     * has weights or biases without device kernels.
     */
    @Override
    public DeviceDecoder deviceDecoder(Model model, KvCache cache, int promptLength) {
        String unsupported = unsupported(model, cache);
        if (unsupported != null) {
            if (!noticed) {
                System.err.println("tornado: " + unsupported + "; decoding op by op, with the matmuls on the device");
                noticed = true;
            }
            return null;
        }
        return new TornadoGeneration(this, model, cache, promptLength);
    }

    /**
     * A capture on the device ({@link TornadoCapture}) for a model the device prefills and decodes;
     * null otherwise (the keys and values then come back to the host).
     */
    @Override
    public DeviceCapture deviceCapture(Model model, int promptLength, int[] capacity) {
        if (!TornadoPrefill.supports(model) || !TornadoDecoder.supports(model)) return null;
        return new TornadoCapture(this, model, promptLength, capacity);
    }

    /** A restore of a capture that kept its keys and values here: a decoder of the capture's plan. */
    @Override
    public DeviceDecoder deviceDecoder(Model model, KvCache cache, int promptLength, DeviceCapture capture) {
        if (!(capture instanceof TornadoCapture c) || !c.of(this)) {
            throw new IllegalStateException("this capture was not kept on this backend's device");
        }
        String unsupported = unsupported(model, cache);
        if (unsupported != null) {
            throw new IllegalStateException("a capture kept on the device restores into F32 caches only, not with "
                    + unsupported + "; capture with the restores' cache type");
        }
        if (promptLength != c.promptLength()) {
            throw new IllegalArgumentException(promptLength + " prompt tokens for a capture of " + c.promptLength());
        }
        return new TornadoGeneration(this, model, cache, c);
    }

    /** Why this model or cache decodes op by op, or null when the whole-layer decoder runs it. */
    private static String unsupported(Model model, KvCache cache) {
        return cache.dtype() == KvCache.Dtype.F16
                ? "an F16 KV cache (its kernels decode short bits, which TornadoVM 5.2.0's OpenCL backend miscompiles)"
                : cache.dtype() != KvCache.Dtype.F32 ? "a " + cache.dtype() + " KV cache (no device decoder for it yet)"
                : !TornadoDecoder.supports(model) ? "weight types, biases or QK-norm without device kernels" : null;
    }

    /**
     * A decode plan for a generation, which starts there ({@link TornadoDecoder#start}): one compiled
     * for an earlier generation when the prompt length and cache capacities round up to the same
     * buckets and, for a prompt prefilled in the plan ({@code prefillMode} not null), its prefill has
     * that mode (TornadoVM compiles a plan's kernels on its first execution, seconds on PoCL) and no
     * open generation or capture uses it; else a new one (see {@link #plan}). Keys and values from
     * the host fit any plan.
     */
    TornadoDecoder decodePlan(Model model, KvCache cache, int promptLength, TornadoPrefill.Mode prefillMode) {
        return plan(model, TornadoDecoder.capacities(cache), promptLength, prefillMode);
    }

    /**
     * A plan for a capture: prefill graphs of this mode, caches of up to {@code capacity[l]} slots
     * (their buckets); compiled before when one fits, as {@link #decodePlan}.
     */
    TornadoDecoder capturePlan(Model model, int[] capacity, int promptLength, TornadoPrefill.Mode prefillMode) {
        return plan(model, capacity, promptLength, prefillMode);
    }

    /**
     * A plan's cache buffers, staging and prefill buffers serve one generation (or capture) at a
     * time, so a fitting plan that an open generation still decodes in ({@link TornadoDecoder#held})
     * or an open capture's keys and values are in ({@link TornadoDecoder#pinned}) is not reused while
     * there is room for another: two generations of one bucket open side by side (bench's slowdown
     * check) each get a plan of their own and both decode right. Past {@link #DECODE_PLANS} plans the
     * least recently used fitting one is taken over anyway (an unpinned one first), so callers that
     * never close their generations compile at most the cap's worth of plans more; whatever used it then throws
     * when it next touches it ({@link TornadoDecoder#checkGeneration}, the capture's prefill epoch),
     * never decoding another's keys and values silently.
     */
    private TornadoDecoder plan(Model model, int[] capacity, int promptLength, TornadoPrefill.Mode prefillMode) {
        for (TornadoDecoder d : decoders) {
            if (d.fits(model, capacity, promptLength, prefillMode) && !d.held() && !d.pinned()) {
                return first(d); // its kernels are compiled already
            }
        }
        // The least recently used free plans go first.
        for (int i = decoders.size() - 1; i >= 0 && decoders.size() >= DECODE_PLANS; i--) {
            TornadoDecoder d = decoders.get(i);
            if (!d.pinned() && !d.held()) decoders.remove(i).close();
        }
        if (decoders.size() >= DECODE_PLANS) {
            TornadoDecoder taken = null;
            for (TornadoDecoder d : decoders) {
                if (d.fits(model, capacity, promptLength, prefillMode) && (taken == null || taken.pinned() || !d.pinned())) {
                    taken = d; // the least recently used, an unpinned one if any
                }
            }
            if (taken != null) return first(taken);
            // A plan an open capture's keys and values are in stays; an open generation's is freed (it then throws).
            for (int i = decoders.size() - 1; i >= 0 && decoders.size() >= DECODE_PLANS; i--) {
                if (!decoders.get(i).pinned()) decoders.remove(i).close();
            }
        }
        TornadoDecoder d = new TornadoDecoder(model, capacity, promptLength, prefillMode,
                w -> deviceWeights.computeIfAbsent(w, DeviceWeight::of), traffic);
        decoders.addFirst(d);
        decodePlansBuilt++;
        if (prefillMode != null) prefillPlansBuilt++;
        return d;
    }

    private TornadoDecoder first(TornadoDecoder d) {
        decoders.remove(d);
        decoders.addFirst(d);
        return d;
    }

    /** Bytes, launches and tokens of every plan so far; device memory of the plans open now. */
    @Override
    public DeviceCounters deviceCounters() {
        return traffic.snapshot();
    }

    /** TornadoVM's profiler for every plan, open or opened later, from the next execution on. */
    @Override
    public boolean profileKernels(boolean on) {
        traffic.profile(on);
        return true;
    }

    @Override
    public boolean kernelsProfiled() {
        return traffic.profiling();
    }

    private void closeDecoders() {
        for (TornadoDecoder d : decoders) d.close();
        decoders.clear();
        for (TornadoPrefill p : prefills) p.close();
        prefills.clear();
    }

    @Override
    public void close() {
        closeDecoders();
        if (scoring != null) scoring.close();
        scoring = null;
        if (windows != null) windows.close();
        windows = null;
        deviceWeights.clear();
        for (DeviceMatmul m : resident.values()) m.close();
        resident.clear();
        host.close();
    }
}
