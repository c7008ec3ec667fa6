package dev.windowkv.engine.backend.simd;

import static dev.windowkv.engine.backend.simd.Lanes.F;
import static dev.windowkv.engine.backend.simd.Lanes.L;

import dev.windowkv.engine.gguf.GGMLType;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The prefill matrix product as a register-blocked GEMM over packed panels, the BLIS way.
 *
 * <p>Activations are packed once per token block into tiles of {@link #NR} tokens laid out
 * {@code [k][NR]} ({@link #packTile}): one k step of a tile is four contiguous vectors. Weights are
 * dequantized a K segment at a time ({@link #KC} columns of {@link #MC} rows, row-major in a
 * per-thread panel, so the dequantization is paid once per token block, not per token tile), and an
 * {@link #MR} × NR microkernel keeps 6 rows × 4 vectors of tokens = 24 accumulators in registers: each
 * k step loads four activation vectors and broadcasts six weights, for 24 FMAs (8 rows × 3 vectors,
 * the other 24-register shape, ran at 0.8-0.9× of this per CPU-second on one core). There are no
 * horizontal sums: the lanes are tokens, so a lane's sum is already one output.
 *
 * <p>Every output (row, token) is one chain of FMAs over k in order, cut into the same K segments
 * whatever the token block, row block or thread: the result does not depend on the thread count.
 */
public final class PackedGemm {
    private PackedGemm() {}

    /** Weight rows per microkernel: 24 accumulators, 4 activations and a broadcast: 29 of AVX-512's 32 registers. */
    static final int MR = 6;
    /** Tokens per microkernel (and per packed tile): four vectors. */
    public static final int NR = 4 * L;
    /** Columns per K segment: a multiple of every block size (256 for the K-quants). */
    static final int KC = 256;
    /** Panel row stride: KC plus one cache line, so a panel's rows do not share L1 sets. */
    private static final int WS = KC + 16;
    /** Rows per work item, ten panels: a segment of them is 65 KiB of f32, well inside L2. */
    public static final int MC = 60;
    /** Tiles per token block: a dequantized segment serves 4 × 64 tokens on AVX-512. */
    public static final int TILES_PER_BLOCK = 4;
    /** Fewer tokens than a tile waste most of the microkernel; they take SimdMatmul's 4 × 4 tiles. */
    public static final int MIN_TOKENS = NR;

    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[MC * WS]);
    private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[0]);

    /** Floats of packed activations for {@code tiles} tiles of rows of n values. */
    public static int packedSize(int tiles, int n) {
        return Math.multiplyExact(tiles * NR, n);
    }

    /**
     * Tokens [tok0, tok0 + NR) of x (rows of n values) into xp[xpOff ..] as {@code [k][NR]}; tokens at
     * or past tokEnd are zeros. Reads NR rows side by side and writes sequentially.
     */
    public static void packTile(float[] x, int n, int tok0, int tokEnd, float[] xp, int xpOff) {
        packTile(x, n, null, tok0, tokEnd, xp, xpOff);
    }

    /**
     * As above, with packed position k taking column columns[k] of x (null: column k), for weights
     * stored in another column order ({@link Q4_0Repacked#columns}).
     */
    public static void packTile(float[] x, int n, int[] columns, int tok0, int tokEnd, float[] xp, int xpOff) {
        int real = Math.max(0, Math.min(NR, tokEnd - tok0));
        if (real < NR) {
            Arrays.fill(xp, xpOff, xpOff + NR * n, 0f);
        }
        for (int k0 = 0; k0 < n; k0 += 16) {
            int k1 = Math.min(n, k0 + 16);
            for (int tt = 0; tt < real; tt++) {
                int src = (tok0 + tt) * n;
                if (columns == null) {
                    for (int k = k0; k < k1; k++) xp[xpOff + k * NR + tt] = x[src + k];
                } else {
                    for (int k = k0; k < k1; k++) xp[xpOff + k * NR + tt] = x[src + columns[k]];
                }
            }
        }
    }

    /**
     * out[tok * outStride + r] = row r · x[tok] for r in [rowStart, rowEnd) (at most {@link #MC} rows)
     * and tokens tok in [tok0, tokEnd), where xp holds those tokens packed by {@link #packTile} from
     * tile 0 on. Row r of the weight starts at byte r * rowBytes of w.
     */
    public static void multiply(GGMLType t, MemorySegment w, long rowBytes, int rowStart, int rowEnd, float[] xp,
                                int tok0, int tokEnd, int n, float[] out, int outStride) {
        multiply(RowDecoder.gguf(t), w, rowBytes, rowStart, rowEnd, xp, tok0, tokEnd, n, out, outStride);
    }

    /** As above, rows decoded by d (in the column order the activations were packed in). */
    public static void multiply(RowDecoder d, MemorySegment w, long rowBytes, int rowStart, int rowEnd, float[] xp,
                                int tok0, int tokEnd, int n, float[] out, int outStride) {
        int rows = rowEnd - rowStart;
        if (rows <= 0 || tokEnd <= tok0) return;
        if (rows > MC) throw new IllegalArgumentException(rows + " rows exceed a work item's " + MC);
        int panels = (rows + MR - 1) / MR;
        int tiles = (tokEnd - tok0 + NR - 1) / NR;
        float[] panel = PANEL.get();
        float[] acc = scratch(tiles * panels * MR * NR);
        for (int k0 = 0; k0 < n; k0 += KC) {
            int len = Math.min(KC, n - k0);
            for (int r = 0; r < rows; r++) {
                d.dequantize(w, (rowStart + r) * rowBytes, k0, panel, r * WS, len);
            }
            // The last panel's missing rows multiply zeros; their sums are never written out.
            Arrays.fill(panel, rows * WS, panels * MR * WS, 0f);
            boolean add = k0 > 0;
            for (int j = 0; j < tiles; j++) {
                int xo = j * NR * n + k0 * NR;
                for (int p = 0; p < panels; p++) {
                    micro(panel, p * MR * WS, xp, xo, len, acc, (j * panels + p) * MR * NR, add);
                }
            }
        }
        // Token by token, so that each token's rows are written as one run: out's rows are far apart
        // (8192 floats for the FFN), and a row at a time would write every line in the same L1 set.
        for (int j = 0; j < tiles; j++) {
            int nTok = Math.min(NR, tokEnd - tok0 - j * NR);
            int a0 = j * panels * MR * NR;
            for (int tt = 0; tt < nTok; tt++) {
                int o = (tok0 + j * NR + tt) * outStride + rowStart;
                for (int r = 0; r < rows; r++) {
                    out[o + r] = acc[a0 + r * NR + tt];
                }
            }
        }
    }

    /**
     * acc[ao ..] (+)= MR panel rows from wp[p ..] (stride WS) times one packed tile from xp[xo ..],
     * over len columns; acc holds row i's NR token sums at ao + i·NR. Straight-line code: C2 keeps the
     * 24 accumulators in registers only when nothing is indexed by a variable.
     */
    private static void micro(float[] wp, int p, float[] xp, int xo, int len, float[] acc, int ao, boolean add) {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23;
        FloatVector c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        if (add) {
            int a0 = ao;
            c00 = FloatVector.fromArray(F, acc, a0); c01 = FloatVector.fromArray(F, acc, a0 + L);
            c02 = FloatVector.fromArray(F, acc, a0 + 2 * L); c03 = FloatVector.fromArray(F, acc, a0 + 3 * L);
            int a1 = ao + NR;
            c10 = FloatVector.fromArray(F, acc, a1); c11 = FloatVector.fromArray(F, acc, a1 + L);
            c12 = FloatVector.fromArray(F, acc, a1 + 2 * L); c13 = FloatVector.fromArray(F, acc, a1 + 3 * L);
            int a2 = ao + 2 * NR;
            c20 = FloatVector.fromArray(F, acc, a2); c21 = FloatVector.fromArray(F, acc, a2 + L);
            c22 = FloatVector.fromArray(F, acc, a2 + 2 * L); c23 = FloatVector.fromArray(F, acc, a2 + 3 * L);
            int a3 = ao + 3 * NR;
            c30 = FloatVector.fromArray(F, acc, a3); c31 = FloatVector.fromArray(F, acc, a3 + L);
            c32 = FloatVector.fromArray(F, acc, a3 + 2 * L); c33 = FloatVector.fromArray(F, acc, a3 + 3 * L);
            int a4 = ao + 4 * NR;
            c40 = FloatVector.fromArray(F, acc, a4); c41 = FloatVector.fromArray(F, acc, a4 + L);
            c42 = FloatVector.fromArray(F, acc, a4 + 2 * L); c43 = FloatVector.fromArray(F, acc, a4 + 3 * L);
            int a5 = ao + 5 * NR;
            c50 = FloatVector.fromArray(F, acc, a5); c51 = FloatVector.fromArray(F, acc, a5 + L);
            c52 = FloatVector.fromArray(F, acc, a5 + 2 * L); c53 = FloatVector.fromArray(F, acc, a5 + 3 * L);
        } else {
            c00 = FloatVector.zero(F); c01 = c00; c02 = c00; c03 = c00; c10 = c00; c11 = c00; c12 = c00; c13 = c00;
            c20 = c00; c21 = c00; c22 = c00; c23 = c00; c30 = c00; c31 = c00; c32 = c00; c33 = c00;
            c40 = c00; c41 = c00; c42 = c00; c43 = c00; c50 = c00; c51 = c00; c52 = c00; c53 = c00;
        }
        int p1 = p + WS, p2 = p + 2 * WS, p3 = p + 3 * WS, p4 = p + 4 * WS, p5 = p + 5 * WS;
        for (int k = 0; k < len; k++) {
            int xi = xo + k * NR;
            FloatVector x0 = FloatVector.fromArray(F, xp, xi);
            FloatVector x1 = FloatVector.fromArray(F, xp, xi + L);
            FloatVector x2 = FloatVector.fromArray(F, xp, xi + 2 * L);
            FloatVector x3 = FloatVector.fromArray(F, xp, xi + 3 * L);
            FloatVector v = FloatVector.broadcast(F, wp[p + k]);
            c00 = x0.fma(v, c00); c01 = x1.fma(v, c01); c02 = x2.fma(v, c02); c03 = x3.fma(v, c03);
            v = FloatVector.broadcast(F, wp[p1 + k]);
            c10 = x0.fma(v, c10); c11 = x1.fma(v, c11); c12 = x2.fma(v, c12); c13 = x3.fma(v, c13);
            v = FloatVector.broadcast(F, wp[p2 + k]);
            c20 = x0.fma(v, c20); c21 = x1.fma(v, c21); c22 = x2.fma(v, c22); c23 = x3.fma(v, c23);
            v = FloatVector.broadcast(F, wp[p3 + k]);
            c30 = x0.fma(v, c30); c31 = x1.fma(v, c31); c32 = x2.fma(v, c32); c33 = x3.fma(v, c33);
            v = FloatVector.broadcast(F, wp[p4 + k]);
            c40 = x0.fma(v, c40); c41 = x1.fma(v, c41); c42 = x2.fma(v, c42); c43 = x3.fma(v, c43);
            v = FloatVector.broadcast(F, wp[p5 + k]);
            c50 = x0.fma(v, c50); c51 = x1.fma(v, c51); c52 = x2.fma(v, c52); c53 = x3.fma(v, c53);
        }
        int s0 = ao;
        c00.intoArray(acc, s0); c01.intoArray(acc, s0 + L); c02.intoArray(acc, s0 + 2 * L); c03.intoArray(acc, s0 + 3 * L);
        int s1 = ao + NR;
        c10.intoArray(acc, s1); c11.intoArray(acc, s1 + L); c12.intoArray(acc, s1 + 2 * L); c13.intoArray(acc, s1 + 3 * L);
        int s2 = ao + 2 * NR;
        c20.intoArray(acc, s2); c21.intoArray(acc, s2 + L); c22.intoArray(acc, s2 + 2 * L); c23.intoArray(acc, s2 + 3 * L);
        int s3 = ao + 3 * NR;
        c30.intoArray(acc, s3); c31.intoArray(acc, s3 + L); c32.intoArray(acc, s3 + 2 * L); c33.intoArray(acc, s3 + 3 * L);
        int s4 = ao + 4 * NR;
        c40.intoArray(acc, s4); c41.intoArray(acc, s4 + L); c42.intoArray(acc, s4 + 2 * L); c43.intoArray(acc, s4 + 3 * L);
        int s5 = ao + 5 * NR;
        c50.intoArray(acc, s5); c51.intoArray(acc, s5 + L); c52.intoArray(acc, s5 + 2 * L); c53.intoArray(acc, s5 + 3 * L);
    }

    private static float[] scratch(int size) {
        float[] s = ACC.get();
        if (s.length < size) {
            s = new float[size];
            ACC.set(s);
        }
        return s;
    }
}
