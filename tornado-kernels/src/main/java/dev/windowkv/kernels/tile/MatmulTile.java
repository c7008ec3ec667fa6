package dev.windowkv.kernels.tile;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q4_0Nibbles;
import dev.windowkv.kernels.quant.Q8_0;

/**
 * The batched prefill matmul {@code out[t][r] = W[r] · x[t]} as tiles: a work-group of
 * {@link #THREADS} threads owns {@link #ROWS} rows × {@link #TOKENS} tokens of {@code out}; a thread
 * owns one row and {@link #TOKENS_PER_THREAD} tokens ({@link #row}, {@link #token}), so each weight
 * value it reads from local memory serves that many products. The group walks the columns
 * {@link #COLS} at a time (one Q8_0/Q4_0 block): per step it stages the weight tile, dequantized,
 * and the activation tile in local memory, then each thread adds its products. Each weight block is
 * so read and dequantized once per {@link #TOKENS} tokens instead of once per token, and each
 * activation once per {@link #ROWS} rows.
 *
 * <p>Local layouts: the weight tile is {@code [COLS][ROWS]} ({@link #wSlot}), so that threads of
 * neighbouring rows read neighbouring words; the activation tile is {@code [TOKENS][COLS]}. A thread
 * stages {@link #PER_THREAD} consecutive values of each tile, all in one block of one row, so it
 * decodes the block's scale once ({@link #q8_0Scale}). Here are the values staged, element
 * {@code e} of a tile at column step {@code step} in the global (row-major) order: rows past
 * {@code rows}, tokens past the real count and columns past {@code cols} are zero, so padding is
 * never read. The loops over the local arrays live in the device kernel itself (the tornado
 * backend's {@code TiledMatmul}): TornadoVM 5.2.0 indexes a local array that is passed to another
 * method as if it were a global one (with the array header's byte offset), so a local array must
 * not leave the kernel method.
 */
public final class MatmulTile {
    private MatmulTile() {}

    public static final int ROWS = 32;
    public static final int TOKENS = 32;
    public static final int COLS = 32;
    public static final int THREADS = 256;
    public static final int TOKENS_PER_THREAD = ROWS * TOKENS / THREADS;
    /** Elements of each tile a thread stages: ROWS·COLS = TOKENS·COLS = 4·THREADS. */
    public static final int PER_THREAD = ROWS * COLS / THREADS;

    /** The output row of thread {@code lid} within its tile. */
    public static int row(int lid) {
        return lid % ROWS;
    }

    /** Output token {@code k} (0 ≤ k &lt; TOKENS_PER_THREAD) of thread {@code lid} within its tile. */
    public static int token(int lid, int k) {
        return lid / ROWS + k * (THREADS / ROWS);
    }

    /** Where element {@code e} (row-major {@code [ROWS][COLS]}) of the weight tile goes in its {@code [COLS][ROWS]} local copy. */
    public static int wSlot(int e) {
        return e % COLS * ROWS + e / COLS;
    }

    /** The scale of the Q8_0 block holding element {@code e} of the weight tile (0 for a row past {@code rows}). */
    public static float q8_0Scale(byte[] w, int rowBytes, int rows, int r0, int step, int e) {
        int r = r0 + e / COLS;
        return r < rows ? Half.f16ToF32(Bytes.u16(w, r * rowBytes + step * Q8_0.TYPE_SIZE)) : 0f;
    }

    /** Element {@code e} of the weight tile of a Q8_0 weight, given its block's scale {@code d}. */
    public static float q8_0(byte[] w, int rowBytes, int rows, int r0, int step, int e, float d) {
        int r = r0 + e / COLS;
        return r < rows ? w[r * rowBytes + step * Q8_0.TYPE_SIZE + 2 + e % COLS] * d : 0f;
    }

    /** {@link #q8_0Scale} for a Q4_0 weight. */
    public static float q4_0Scale(byte[] w, int rowBytes, int rows, int r0, int step, int e) {
        int r = r0 + e / COLS;
        return r < rows ? Half.f16ToF32(Bytes.u16(w, r * rowBytes + step * Q4_0.TYPE_SIZE)) : 0f;
    }

    /** {@link #q8_0} for a Q4_0 weight. */
    public static float q4_0(byte[] w, int rowBytes, int rows, int r0, int step, int e, float d) {
        int r = r0 + e / COLS;
        return r < rows ? Q4_0Nibbles.value(w, r * rowBytes + step * Q4_0.TYPE_SIZE, e % COLS, d) : 0f;
    }

    /** Element {@code e} of the weight tile of an F16 weight {@code cols} wide. */
    public static float f16(byte[] w, int rowBytes, int rows, int cols, int r0, int step, int e) {
        int r = r0 + e / COLS;
        int c = step * COLS + e % COLS;
        return r < rows && c < cols ? Half.f16ToF32(Bytes.u16(w, r * rowBytes + F16.TYPE_SIZE * c)) : 0f;
    }

    /** Element {@code e} of the weight tile of an F32 weight decoded to floats, rows {@code cols} apart. */
    public static float f32(float[] w, int rows, int cols, int r0, int step, int e) {
        int r = r0 + e / COLS;
        int c = step * COLS + e % COLS;
        return r < rows && c < cols ? w[r * cols + c] : 0f;
    }

    /** Element {@code e} of the activation tile of tokens from {@code t0} of {@code x[t][cols]}; count is the real token count. */
    public static float x(float[] x, int cols, int count, int t0, int step, int e) {
        int t = t0 + e / COLS;
        int c = step * COLS + e % COLS;
        return t < count && c < cols ? x[t * cols + c] : 0f;
    }

    /** Column steps of a matrix {@code cols} wide. */
    public static int steps(int cols) {
        return (cols + COLS - 1) / COLS;
    }

    /** Work-groups for {@code rows} × {@code nTokens}: row tiles × token tiles. */
    public static int groups(int rows, int nTokens) {
        return rowTiles(rows) * ((nTokens + TOKENS - 1) / TOKENS);
    }

    public static int rowTiles(int rows) {
        return (rows + ROWS - 1) / ROWS;
    }
}
