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
 * {@code [k][NR]} ({@link #packTile}): one k step of a tile is three contiguous vectors. Weights are
 * dequantized a K segment at a time ({@link #KC} columns of {@link #MC} rows, row-major in a
 * per-thread panel, so the dequantization is paid once per token block, not per token tile), and an
 * {@link #MR} × NR microkernel keeps 8 rows × 3 vectors of tokens = 24 accumulators in registers: each
 * k step loads three activation vectors and broadcasts eight weights, for 24 FMAs. There are no
 * horizontal sums: the lanes are tokens, so a lane's sum is already one output.
 *
 * <p>Every output (row, token) is one chain of FMAs over k in order, cut into the same K segments
 * whatever the token block, row block or thread: the result does not depend on the thread count.
 */
public final class PackedGemm {
    private PackedGemm() {}

    /** Weight rows per microkernel: 8 broadcasts and 24 accumulators, 28 of AVX-512's 32 registers. */
    static final int MR = 8;
    /** Tokens per microkernel (and per packed tile): three vectors. */
    public static final int NR = 3 * L;
    /** Columns per K segment: a multiple of every block size (256 for the K-quants). */
    static final int KC = 256;
    /** Panel row stride: KC plus one cache line, so eight rows do not share L1 sets. */
    private static final int WS = KC + 16;
    /** Rows per work item: a 64-row panel segment is 70 KiB of f32, well inside L2. */
    public static final int MC = 64;
    /** Tiles per token block: the dequantized segment is reused by 5 × 48 tokens on AVX-512. */
    public static final int TILES_PER_BLOCK = 5;
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
        int real = Math.max(0, Math.min(NR, tokEnd - tok0));
        if (real < NR) {
            Arrays.fill(xp, xpOff, xpOff + NR * n, 0f);
        }
        for (int k0 = 0; k0 < n; k0 += 16) {
            int k1 = Math.min(n, k0 + 16);
            for (int tt = 0; tt < real; tt++) {
                int src = (tok0 + tt) * n;
                for (int k = k0; k < k1; k++) {
                    xp[xpOff + k * NR + tt] = x[src + k];
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
        int rows = rowEnd - rowStart;
        if (rows <= 0 || tokEnd <= tok0) return;
        if (rows > MC) throw new IllegalArgumentException(rows + " rows exceed a work item's " + MC);
        int panels = (rows + MR - 1) / MR;
        int tiles = (tokEnd - tok0 + NR - 1) / NR;
        float[] panel = PANEL.get();
        float[] acc = scratch(tiles * panels * MR * NR);
        for (int k0 = 0; k0 < n; k0 += KC) {
            int len = Math.min(KC, n - k0);
            long segment = t.byteSize(k0);
            for (int r = 0; r < rows; r++) {
                SimdMatmul.dequantizeRow(t, w, (rowStart + r) * rowBytes + segment, panel, r * WS, len);
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
        for (int j = 0; j < tiles; j++) {
            int nTok = Math.min(NR, tokEnd - tok0 - j * NR);
            for (int r = 0; r < rows; r++) {
                int a = (j * panels + r / MR) * MR * NR + (r % MR) * NR;
                int o = (tok0 + j * NR) * outStride + rowStart + r;
                for (int tt = 0; tt < nTok; tt++) {
                    out[o + tt * outStride] = acc[a + tt];
                }
            }
        }
    }

    /**
     * acc[ao ..] (+)= eight panel rows from wp[p ..] (stride WS) times one packed tile from xp[xo ..],
     * over len columns; acc holds row i's NR token sums at ao + i·NR. Straight-line code: C2 keeps the
     * 24 accumulators in registers only when nothing is indexed by a variable.
     */
    private static void micro(float[] wp, int p, float[] xp, int xo, int len, float[] acc, int ao, boolean add) {
        FloatVector c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32;
        FloatVector c40, c41, c42, c50, c51, c52, c60, c61, c62, c70, c71, c72;
        if (add) {
            c00 = FloatVector.fromArray(F, acc, ao); c01 = FloatVector.fromArray(F, acc, ao + L); c02 = FloatVector.fromArray(F, acc, ao + 2 * L);
            c10 = FloatVector.fromArray(F, acc, ao + NR); c11 = FloatVector.fromArray(F, acc, ao + NR + L); c12 = FloatVector.fromArray(F, acc, ao + NR + 2 * L);
            c20 = FloatVector.fromArray(F, acc, ao + 2 * NR); c21 = FloatVector.fromArray(F, acc, ao + 2 * NR + L); c22 = FloatVector.fromArray(F, acc, ao + 2 * NR + 2 * L);
            c30 = FloatVector.fromArray(F, acc, ao + 3 * NR); c31 = FloatVector.fromArray(F, acc, ao + 3 * NR + L); c32 = FloatVector.fromArray(F, acc, ao + 3 * NR + 2 * L);
            c40 = FloatVector.fromArray(F, acc, ao + 4 * NR); c41 = FloatVector.fromArray(F, acc, ao + 4 * NR + L); c42 = FloatVector.fromArray(F, acc, ao + 4 * NR + 2 * L);
            c50 = FloatVector.fromArray(F, acc, ao + 5 * NR); c51 = FloatVector.fromArray(F, acc, ao + 5 * NR + L); c52 = FloatVector.fromArray(F, acc, ao + 5 * NR + 2 * L);
            c60 = FloatVector.fromArray(F, acc, ao + 6 * NR); c61 = FloatVector.fromArray(F, acc, ao + 6 * NR + L); c62 = FloatVector.fromArray(F, acc, ao + 6 * NR + 2 * L);
            c70 = FloatVector.fromArray(F, acc, ao + 7 * NR); c71 = FloatVector.fromArray(F, acc, ao + 7 * NR + L); c72 = FloatVector.fromArray(F, acc, ao + 7 * NR + 2 * L);
        } else {
            c00 = FloatVector.zero(F); c01 = c00; c02 = c00; c10 = c00; c11 = c00; c12 = c00;
            c20 = c00; c21 = c00; c22 = c00; c30 = c00; c31 = c00; c32 = c00;
            c40 = c00; c41 = c00; c42 = c00; c50 = c00; c51 = c00; c52 = c00;
            c60 = c00; c61 = c00; c62 = c00; c70 = c00; c71 = c00; c72 = c00;
        }
        int p1 = p + WS, p2 = p + 2 * WS, p3 = p + 3 * WS, p4 = p + 4 * WS, p5 = p + 5 * WS, p6 = p + 6 * WS, p7 = p + 7 * WS;
        for (int k = 0; k < len; k++) {
            int xi = xo + k * NR;
            FloatVector x0 = FloatVector.fromArray(F, xp, xi);
            FloatVector x1 = FloatVector.fromArray(F, xp, xi + L);
            FloatVector x2 = FloatVector.fromArray(F, xp, xi + 2 * L);
            FloatVector v = FloatVector.broadcast(F, wp[p + k]);
            c00 = x0.fma(v, c00); c01 = x1.fma(v, c01); c02 = x2.fma(v, c02);
            v = FloatVector.broadcast(F, wp[p1 + k]);
            c10 = x0.fma(v, c10); c11 = x1.fma(v, c11); c12 = x2.fma(v, c12);
            v = FloatVector.broadcast(F, wp[p2 + k]);
            c20 = x0.fma(v, c20); c21 = x1.fma(v, c21); c22 = x2.fma(v, c22);
            v = FloatVector.broadcast(F, wp[p3 + k]);
            c30 = x0.fma(v, c30); c31 = x1.fma(v, c31); c32 = x2.fma(v, c32);
            v = FloatVector.broadcast(F, wp[p4 + k]);
            c40 = x0.fma(v, c40); c41 = x1.fma(v, c41); c42 = x2.fma(v, c42);
            v = FloatVector.broadcast(F, wp[p5 + k]);
            c50 = x0.fma(v, c50); c51 = x1.fma(v, c51); c52 = x2.fma(v, c52);
            v = FloatVector.broadcast(F, wp[p6 + k]);
            c60 = x0.fma(v, c60); c61 = x1.fma(v, c61); c62 = x2.fma(v, c62);
            v = FloatVector.broadcast(F, wp[p7 + k]);
            c70 = x0.fma(v, c70); c71 = x1.fma(v, c71); c72 = x2.fma(v, c72);
        }
        c00.intoArray(acc, ao); c01.intoArray(acc, ao + L); c02.intoArray(acc, ao + 2 * L);
        c10.intoArray(acc, ao + NR); c11.intoArray(acc, ao + NR + L); c12.intoArray(acc, ao + NR + 2 * L);
        c20.intoArray(acc, ao + 2 * NR); c21.intoArray(acc, ao + 2 * NR + L); c22.intoArray(acc, ao + 2 * NR + 2 * L);
        c30.intoArray(acc, ao + 3 * NR); c31.intoArray(acc, ao + 3 * NR + L); c32.intoArray(acc, ao + 3 * NR + 2 * L);
        c40.intoArray(acc, ao + 4 * NR); c41.intoArray(acc, ao + 4 * NR + L); c42.intoArray(acc, ao + 4 * NR + 2 * L);
        c50.intoArray(acc, ao + 5 * NR); c51.intoArray(acc, ao + 5 * NR + L); c52.intoArray(acc, ao + 5 * NR + 2 * L);
        c60.intoArray(acc, ao + 6 * NR); c61.intoArray(acc, ao + 6 * NR + L); c62.intoArray(acc, ao + 6 * NR + 2 * L);
        c70.intoArray(acc, ao + 7 * NR); c71.intoArray(acc, ao + 7 * NR + L); c72.intoArray(acc, ao + 7 * NR + 2 * L);
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
