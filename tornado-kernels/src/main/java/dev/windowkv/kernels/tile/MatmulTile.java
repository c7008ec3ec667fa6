package dev.windowkv.kernels.tile;

import dev.windowkv.kernels.Bytes;
import dev.windowkv.kernels.Half;
import dev.windowkv.kernels.quant.F16;
import dev.windowkv.kernels.quant.Q4_0;
import dev.windowkv.kernels.quant.Q4_0Nibbles;
import dev.windowkv.kernels.quant.Q8_0;

/**
 * The batched prefill matmul {@code out[t][r] = W[r] · x[t]} as tiles: a work-group of
 * {@link #THREADS} threads owns {@link #ROWS} rows × {@link #TOKENS} tokens of {@code out}, one
 * output per thread, and walks the columns {@link #COLS} at a time (one Q8_0/Q4_0 block). Per step
 * the group stages the weight tile, dequantized, and the activation tile in local memory
 * ({@code [ROWS][COLS]} and {@code [TOKENS][COLS]}), then each thread adds its 32 products. Each
 * weight block is so read and dequantized once per {@link #TOKENS} tokens instead of once per
 * token, and each activation once per {@link #ROWS} rows.
 *
 * <p>Here are the values a thread stages, element {@code e} of a tile at column step {@code step}:
 * rows past {@code rows}, tokens past the real count and columns past {@code cols} are zero, so
 * padding is never read. The loops over the local arrays live in the device kernel itself
 * (the tornado backend's {@code TiledMatmul}): TornadoVM 5.2.0 indexes a local array that is passed
 * to another method as if it were a global one (with the array header's byte offset), so a local
 * array must not leave the kernel method.
 */
public final class MatmulTile {
    private MatmulTile() {}

    public static final int ROWS = 16;
    public static final int TOKENS = 16;
    public static final int COLS = 32;
    public static final int THREADS = ROWS * TOKENS;
    /** Elements of each tile a thread stages: ROWS·COLS = TOKENS·COLS = 2·THREADS. */
    public static final int PER_THREAD = ROWS * COLS / THREADS;

    /** The output row of thread {@code lid} within its tile. */
    public static int row(int lid) {
        return lid % ROWS;
    }

    /** The output token of thread {@code lid} within its tile. */
    public static int token(int lid) {
        return lid / ROWS;
    }

    /** Element {@code e} of the weight tile of rows from {@code r0}, for a Q8_0 weight. */
    public static float q8_0(byte[] w, int rowBytes, int rows, int r0, int step, int e) {
        int r = r0 + e / COLS;
        if (r >= rows) {
            return 0f;
        }
        int o = r * rowBytes + step * Q8_0.TYPE_SIZE;
        return w[o + 2 + e % COLS] * Half.f16ToF32(Bytes.u16(w, o));
    }

    /** {@link #q8_0} for a Q4_0 weight. */
    public static float q4_0(byte[] w, int rowBytes, int rows, int r0, int step, int e) {
        int r = r0 + e / COLS;
        if (r >= rows) {
            return 0f;
        }
        int o = r * rowBytes + step * Q4_0.TYPE_SIZE;
        return Q4_0Nibbles.value(w, o, e % COLS, Half.f16ToF32(Bytes.u16(w, o)));
    }

    /** {@link #q8_0} for an F16 weight {@code cols} wide. */
    public static float f16(byte[] w, int rowBytes, int rows, int cols, int r0, int step, int e) {
        int r = r0 + e / COLS;
        int c = step * COLS + e % COLS;
        return r < rows && c < cols ? Half.f16ToF32(Bytes.u16(w, r * rowBytes + F16.TYPE_SIZE * c)) : 0f;
    }

    /** {@link #q8_0} for an F32 weight decoded to floats, rows {@code cols} apart. */
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
