package dev.windowkv.engine.backend;

import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.sampling.Sampler;

/**
 * A backend's whole-model decode on a device: the KV cache lives there from the end of prefill on,
 * and each token runs every layer without coming back to the host. After the prefill and the
 * policy's selection, each layer's kept tokens (with its prefill keys/values, unless the backend
 * prefilled on the device and kept them there) go to {@link #compact}; the cache's copy on the host
 * is then only bookkeeping (lengths, positions).
 */
public interface DeviceDecoder {
    /**
     * Compacts layer {@code layer}'s kept prompt tokens into the device cache, from the prefill
     * keys/values {@code k}, {@code v} ({@code [n][nKvHeads][headDim]}), or, when the backend
     * prefilled into this decoder ({@code Transformer.LayerSink#decoder}), from the copies it kept on
     * the device ({@code k} and {@code v} may then be null).
     */
    void compact(int layer, float[] k, float[] v, int n, KeptTokens kept);

    /**
     * Runs token {@code token} at {@code position} and returns the next token's logits. The device
     * looks up the embedding itself, so only the token and its position go down.
     */
    float[] decode(int token, int position);

    /**
     * Runs token {@code token} at {@code position} and returns the greedy next token, the argmax of
     * its logits ({@link Sampler#argmax}: the lowest index wins a tie). A device that computes the
     * argmax itself brings back only that, not the logits.
     */
    default int decodeGreedy(int token, int position) {
        return Sampler.argmax(decode(token, position));
    }
}
