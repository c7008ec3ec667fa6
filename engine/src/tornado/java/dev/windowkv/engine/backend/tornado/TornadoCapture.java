package dev.windowkv.engine.backend.tornado;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.DeviceCapture;
import dev.windowkv.engine.kvcache.DeviceSelection;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.Transformer;

/**
 * A sweep's capture on the device: one prefill whose keys and values stay in a decode plan
 * ({@link TornadoDecoder}) for every restore of it. The plan is sized per layer for the largest of
 * the capture's policies' caches (attention reads only the slots a restore fills, so a smaller cache
 * decodes in it correctly), and every policy selects in its layer graphs, one slot each
 * ({@link TornadoPrefill.Mode}). 5.2.0 links buffers only between graphs of one plan
 * (pitfall 6): so the prefill and every restore's {@code kept<l>} compaction must run in the same
 * plan, and the capture pins it against the backend's least-recently-used eviction until closed.
 * Another prompt prefilled in that plan meanwhile overwrites the keys and values: the capture
 * records which prompt it was ({@link TornadoDecoder#prefillEpoch}) and a restore after that throws.
 */
final class TornadoCapture implements DeviceCapture {
    private final TornadoBackend backend;
    private final Model model;
    private final int promptLength;
    private final int[] capacity;
    private TornadoDecoder plan;
    private long epoch;
    private boolean closed;

    TornadoCapture(TornadoBackend backend, Model model, int promptLength, int[] capacity) {
        this.backend = backend;
        this.model = model;
        this.promptLength = promptLength;
        this.capacity = capacity.clone();
    }

    /** True when this capture comes from {@code b}. */
    boolean of(TornadoBackend b) {
        return backend == b;
    }

    /** Prefills {@code tokens} in a plan of this mode sized for the capture, which keeps the keys and values. */
    float[] prefill(int[] tokens, Transformer.LayerSink sink, DeviceSelection[][] specs, TornadoPrefill.Mode mode,
                    Backend host) {
        if (closed) throw new IllegalStateException("the capture is closed");
        if (plan != null) throw new IllegalStateException("a capture holds one prefill");
        if (tokens.length != promptLength) {
            throw new IllegalArgumentException(tokens.length + " prompt tokens for a capture sized for " + promptLength);
        }
        if (mode.queries()) throw new IllegalStateException("a capture on the device needs every policy's device selection");
        plan = backend.capturePlan(model, capacity, promptLength, mode);
        plan.disown(); // a generation still decoding here (the backend had no other plan for it) would read this prompt's link
        plan.pin();
        float[] logits = plan.prefill(tokens, sink, specs, host);
        epoch = plan.prefillEpoch();
        return logits;
    }

    /** The plan the keys and values are in. */
    TornadoDecoder plan() {
        if (plan == null) throw new IllegalStateException("the capture has not prefilled on the device");
        if (closed) throw new IllegalStateException("the capture is closed");
        return plan;
    }

    /** Which of the plan's prompts this capture's is ({@link TornadoDecoder#prefillEpoch}). */
    long epoch() {
        return epoch;
    }

    int promptLength() {
        return promptLength;
    }

    /** Unpins the plan: the backend may free it for another once it is the least recently used. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (plan != null) plan.unpin();
    }
}
