package dev.windowkv.engine.backend.tornado;

import dev.windowkv.kernels.Argmax;
import dev.windowkv.kernels.Attention;
import dev.windowkv.kernels.RmsNorm;
import dev.windowkv.kernels.Rope;
import dev.windowkv.kernels.Softmax;
import dev.windowkv.kernels.SplitAttention;
import dev.windowkv.kernels.SwiGlu;
import dev.windowkv.kernels.kv.KvCompaction;
import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q4_0Nibbles;
import dev.windowkv.kernels.quant.Q8_0;
import uk.ac.manchester.tornado.api.annotations.Parallel;

/**
 * The TornadoVM tasks of a transformer layer besides matmul: each a {@code @Parallel} loop over the
 * work items of a {@code tornado-kernels} body. Values that change every token (the position, the
 * cache slot) come in {@code at = {position, slot}}, a small array sent each execution, so one
 * compiled kernel serves every token.
 */
final class LayerKernels {
    private LayerKernels() {}

    static void rmsnorm(float[] out, float[] x, float[] weight, int nTokens, int dim, float eps) {
        for (@Parallel int t = 0; t < nTokens; t++) {
            RmsNorm.token(out, t * dim, x, t * dim, weight, dim, eps);
        }
    }

    /** Token t of the block is at position {@code at[0] + t}; {@code neox} is 1 for NEOX, 0 for NORM. */
    static void rope(float[] x, int nTokens, int nHeads, int headDim, int[] at, float[] invFreq, int neox) {
        for (@Parallel int i = 0; i < nTokens * nHeads; i++) {
            int pos = at[0] + i / nHeads;
            if (neox == 1) {
                Rope.neox(x, i * headDim, headDim, pos, invFreq);
            } else {
                Rope.norm(x, i * headDim, headDim, pos, invFreq);
            }
        }
    }

    static void swiglu(float[] gate, float[] up, int nTokens, int dim) {
        for (@Parallel int t = 0; t < nTokens; t++) {
            SwiGlu.row(gate, up, t * dim, dim);
        }
    }

    static void softmax(float[] x, int rows, int n) {
        for (@Parallel int r = 0; r < rows; r++) {
            Softmax.row(x, r * n, n);
        }
    }

    static void attentionPrefill(float[] q, float[] k, float[] v, float[] out, int nTokens, int nHeads, int nKvHeads,
                                 int headDim, float scale) {
        for (@Parallel int i = 0; i < nTokens * nHeads; i++) {
            Attention.prefill(q, k, v, out, i / nHeads, i % nHeads, nHeads, nKvHeads, headDim, scale);
        }
    }

    /** Stores this token's keys and values ({@code [nKvHeads][headDim]}) in cache slot {@code at[1]}. */
    static void appendKv(float[] k, float[] v, float[] kCache, float[] vCache, int nKvHeads, int headDim, int capacity,
                         int[] at) {
        for (@Parallel int kvh = 0; kvh < nKvHeads; kvh++) {
            KvCompaction.appendF32(kvh, k, 0, v, 0, headDim, at[1], capacity, kCache, vCache);
        }
    }

    // The decoded token's tasks read the token and position from step = {position, token}, and the
    // cache slot from the layer's base = {kept prompt tokens, prompt length}: slot = kept + position -
    // promptLength. Both arrays stay on the device, so a token sends only step.

    /** x = row {@code step[1]} of a Q8_0 embedding table, one 32-value block per work item. */
    static void embeddingQ8_0(byte[] table, int[] step, float[] x, int cols, int rowBytes) {
        for (@Parallel int b = 0; b < cols / Q8_0.BLOCK_SIZE; b++) {
            Q8_0.dequantizeRow(table, step[1] * rowBytes + b * Q8_0.TYPE_SIZE, x, b * Q8_0.BLOCK_SIZE, Q8_0.BLOCK_SIZE);
        }
    }

    /** x = row {@code step[1]} of a Q4_0 embedding table, one value per work item, through Q4_0Nibbles. */
    static void embeddingQ4_0(byte[] table, int[] step, float[] x, int cols, int rowBytes) {
        for (@Parallel int i = 0; i < cols; i++) {
            int o = step[1] * rowBytes + (i / Q4_0.BLOCK_SIZE) * Q4_0.TYPE_SIZE;
            x[i] = Q4_0Nibbles.value(table, o, i % Q4_0.BLOCK_SIZE, Half.f16ToF32(Bytes.u16(table, o)));
        }
    }

    /** x = row {@code step[1]} of an F16 embedding table. */
    static void embeddingF16(byte[] table, int[] step, float[] x, int cols, int rowBytes) {
        for (@Parallel int i = 0; i < cols; i++) {
            F16.dequantizeRow(table, step[1] * rowBytes + i * F16.TYPE_SIZE, x, i, 1);
        }
    }

    /** x = row {@code step[1]} of an F32 embedding table decoded to floats. */
    static void embeddingF32(float[] table, int[] step, float[] x, int cols) {
        for (@Parallel int i = 0; i < cols; i++) {
            x[i] = table[step[1] * cols + i];
        }
    }

    /** {@link #appendKv} into the slot of the token at {@code step[0]}. */
    static void appendAt(float[] k, float[] v, float[] kCache, float[] vCache, int nKvHeads, int headDim, int capacity,
                         int[] step, int[] base) {
        for (@Parallel int kvh = 0; kvh < nKvHeads; kvh++) {
            KvCompaction.appendF32(kvh, k, 0, v, 0, headDim, base[0] + step[0] - base[1], capacity, kCache, vCache);
        }
    }

    /**
     * Split-K attention's first pass ({@link SplitAttention#partial}) for the token at {@code step[0]}
     * over the slots up to its own: one work item per (split, query head), {@code splits} =
     * {@code SplitAttention.splits(capacity)}. The query heads of one KV head are adjacent work
     * items, so they read the same keys side by side.
     */
    static void attentionPartial(float[] q, float[] kCache, float[] vCache, int capacity, int[] step, int[] base,
                                 int nHeads, int nKvHeads, int headDim, float scale, int splits, float[] partMax,
                                 float[] partSum, float[] partOut) {
        for (@Parallel int i = 0; i < splits * nHeads; i++) {
            int h = i % nHeads;
            int s = i / nHeads;
            SplitAttention.partial(q, h * headDim, kCache, vCache, capacity, base[0] + step[0] - base[1] + 1,
                    h / (nHeads / nKvHeads), headDim, scale, s, partMax, partSum, partOut, h * splits + s);
        }
    }

    /** Split-K attention's second pass ({@link SplitAttention#combine}): one work item per output element. */
    static void attentionCombine(float[] partMax, float[] partSum, float[] partOut, float[] out, int[] step, int[] base,
                                 int nHeads, int headDim, int splits) {
        for (@Parallel int i = 0; i < nHeads * headDim; i++) {
            out[i] = SplitAttention.combine(partMax, partSum, partOut, (i / headDim) * splits,
                    SplitAttention.used(base[0] + step[0] - base[1] + 1), headDim, i % headDim);
        }
    }

    /** The argmax's first pass ({@link Argmax#block}): each work item, one block of the logits. */
    static void argmaxBlocks(float[] logits, int n, int[] bestIndex, float[] bestValue, int blocks) {
        for (@Parallel int b = 0; b < blocks; b++) {
            Argmax.block(logits, n, b, bestIndex, bestValue);
        }
    }

    /** The argmax's second pass ({@link Argmax#ofBlocks}), one work item: {@code token[0]} = the greedy token. */
    static void argmaxOfBlocks(int[] bestIndex, float[] bestValue, int blocks, int[] token) {
        for (@Parallel int i = 0; i < 1; i++) {
            token[0] = Argmax.ofBlocks(bestIndex, bestValue, blocks);
        }
    }
}
