package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.DeviceDecoder;
import dev.windowkv.engine.kvcache.DeviceSelection;
import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.Transformer;

/**
 * One generation's device decoder, as {@link TornadoBackend#deviceDecoder} hands it out before the
 * prefill. Its plan ({@link TornadoDecoder}) is chosen when the prompt arrives, because the plan
 * depends on where the prompt is: prefilled on the device in the plan itself (the prefill's
 * selection mode, known only when the prefill asks the compressor), so that the keys and values
 * never leave the device; or compacted from keys and values the host holds (a capture's restore
 * from the host, a model the device cannot prefill). A restore of a capture whose keys and values
 * stayed on the device ({@link TornadoCapture}) gets the capture's plan from the start. The plan's
 * cache buffers are this generation's only until another starts in the plan (two restores of one
 * capture, or more generations open than the backend keeps plans): every use checks its ticket
 * ({@link TornadoDecoder#checkGeneration}) and throws rather than decode the other's keys and values.
 */
final class TornadoGeneration implements DeviceDecoder {
    private final TornadoBackend backend;
    private final Model model;
    private final KvCache cache;
    private final int promptLength;
    private TornadoDecoder plan;
    private boolean kvOnDevice; // the prompt was prefilled in the plan: its keys and values are there
    private long epoch;         // which of the plan's prompts that was (TornadoDecoder.prefillEpoch)
    private long ticket;        // which of the plan's generations this is (TornadoDecoder.start)

    TornadoGeneration(TornadoBackend backend, Model model, KvCache cache, int promptLength) {
        this.backend = backend;
        this.model = model;
        this.cache = cache;
        this.promptLength = promptLength;
    }

    /**
     * A restore of {@code capture}: its plan, whose prefill graphs still hold the capture's keys and
     * values (checked here, and again when the first token compacts).
     */
    TornadoGeneration(TornadoBackend backend, Model model, KvCache cache, TornadoCapture capture) {
        this(backend, model, cache, capture.promptLength());
        TornadoDecoder p = capture.plan();
        if (!p.holds(cache)) {
            throw new IllegalStateException("a restore's cache (" + java.util.Arrays.toString(TornadoDecoder.capacities(cache))
                    + " slots per layer) is larger than the capture was sized for; capture with the restores' decode room");
        }
        if (p.prefillEpoch() != capture.epoch()) {
            throw new IllegalStateException("the capture's keys and values on the device were overwritten by a later"
                    + " prompt prefilled in the same plan; restore a capture before the next prompt is prefilled");
        }
        ticket = p.start(cache);
        plan = p;
        kvOnDevice = true;
        epoch = capture.epoch();
    }

    /** True when this generation's decoder comes from {@code b}. */
    boolean of(TornadoBackend b) {
        return backend == b;
    }

    /** Prefills {@code tokens} in a plan of this mode, which keeps the keys and values for the decode. */
    float[] prefill(int[] tokens, Transformer.LayerSink sink, DeviceSelection[][] specs, TornadoPrefill.Mode mode,
                    Backend host) {
        if (tokens.length != promptLength) {
            throw new IllegalArgumentException(tokens.length + " prompt tokens for a decoder sized for " + promptLength);
        }
        plan = backend.decodePlan(model, cache, promptLength, mode);
        ticket = plan.start(cache);
        kvOnDevice = true;
        // The sink compacts (compact, below) before prefill returns: this prompt is the plan's next.
        epoch = plan.prefillEpoch() + 1;
        return plan.prefill(tokens, sink, specs, host);
    }

    /**
     * After a prefill here, only the kept indices are staged ({@code k} and {@code v} are null, or
     * the host's copies in mode QUERIES, and are not needed); else the host's keys and values are.
     */
    @Override
    public void compact(int layer, float[] k, float[] v, int n, KeptTokens kept) {
        if (kvOnDevice) {
            plan.checkGeneration(ticket);
            plan.compactKept(layer, n, kept, epoch);
            return;
        }
        if (k == null || v == null) {
            throw new IllegalStateException("layer " + layer + ": no keys/values from the host, and none on the device");
        }
        resolve().compact(layer, k, v, n, kept);
    }

    @Override
    public float[] decode(int token, int position) {
        return resolve().decode(token, position);
    }

    /** The plan's argmax on the device: only it comes back, not the logits. */
    @Override
    public int decodeGreedy(int token, int position) {
        return resolve().decodeGreedy(token, position);
    }

    /**
     * The plan, checked to be still this generation's: the plan's cache buffers and staging are
     * shared by every generation that uses it in turn, so a generation started there since (or the
     * plan freed) would otherwise be decoded against silently. An int compare per token.
     */
    private TornadoDecoder resolve() {
        if (plan == null) {
            plan = backend.decodePlan(model, cache, promptLength, null);
            ticket = plan.start(cache);
        }
        plan.checkGeneration(ticket);
        return plan;
    }
}
