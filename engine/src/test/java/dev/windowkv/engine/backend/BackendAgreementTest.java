package dev.windowkv.engine.backend;

import dev.windowkv.engine.gguf.GGMLType;
import dev.windowkv.engine.gguf.Quantize;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.model.Weight;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel op of {@link Backend} on every Java backend, held to the scalar reference.
 *
 * <p>Tolerances. A matmul output may differ from the reference by {@value #DOT_REL} × Σ|w·x| of its
 * dot product: a SIMD backend sums in another order, and a float sum of n terms reordered moves by
 * at most about n·2⁻²⁴·Σ|terms| (n ≤ 256 per block here, so ≈ 1.5e-5; real drift is far smaller).
 * The other ops may differ by {@value #OP_REL} of the reference's largest magnitude (exp and
 * reordered sums in softmax/rmsnorm). The threads backend runs the very kernel bodies of the
 * reference per work item, so it must agree bit for bit.
 */
class BackendAgreementTest {
    static final double DOT_REL = 2e-5;
    static final double OP_REL = 1e-5;

    private static final Backend REFERENCE = new ScalarBackend();
    private static final List<Backend> OTHERS = List.of(Backends.create("threads", 3), Backends.create("vector", 2));

    @AfterAll
    static void close() {
        REFERENCE.close();
        OTHERS.forEach(Backend::close);
    }

    static Stream<String> backends() {
        return OTHERS.stream().map(Backend::name);
    }

    static Backend backend(String name) {
        return OTHERS.stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow();
    }

    static final GGMLType[] WEIGHT_TYPES = {GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0,
            GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K};

    static Stream<Arguments> matmulCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String b : backends().toList()) {
            for (GGMLType t : WEIGHT_TYPES) {
                for (int nTokens : new int[] {1, 5, 17, 70}) cases.add(Arguments.of(b, t, nTokens));
            }
        }
        return cases.stream();
    }

    /** 300 rows (several row blocks and a ragged tail) of 512 values: two K-quant super-blocks per row. */
    @ParameterizedTest(name = "{0} {1} x{2} tokens")
    @MethodSource("matmulCases")
    void matmul(String backendName, GGMLType type, int nTokens) {
        Backend backend = backend(backendName);
        SplittableRandom rnd = new SplittableRandom(type.id * 31L + nTokens);
        int rows = 300, cols = 512;
        Weight w = weight(type, rows, cols, rnd);
        float[] x = gaussian(rnd, nTokens * cols);
        float[] ref = new float[nTokens * rows];
        float[] got = new float[nTokens * rows];
        REFERENCE.matmul(w, x, nTokens, ref);
        backend.matmul(w, x, nTokens, got);
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            REFERENCE.embedding(w, r, row, 0);
            for (int t = 0; t < nTokens; t++) {
                double abs = 0;
                for (int i = 0; i < cols; i++) abs += Math.abs(row[i] * x[t * cols + i]);
                int o = t * rows + r;
                check(backend, ref[o], got[o], DOT_REL * abs, "row " + r + " token " + t);
            }
        }
    }

    static Stream<Arguments> embeddingCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String b : backends().toList()) for (GGMLType t : WEIGHT_TYPES) cases.add(Arguments.of(b, t));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("embeddingCases")
    void embedding(String backendName, GGMLType type) {
        Backend backend = backend(backendName);
        SplittableRandom rnd = new SplittableRandom(type.id);
        Weight w = weight(type, 10, 256, rnd);
        for (int r : new int[] {0, 3, 9}) {
            float[] ref = new float[256 + 5];
            float[] got = new float[256 + 5];
            REFERENCE.embedding(w, r, ref, 5);
            backend.embedding(w, r, got, 5);
            // Dequantizing is a product per value, never a sum: exact on every backend.
            assertEquals(0, java.util.Arrays.compare(ref, got), backend.name() + " " + type + " row " + r);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void rmsnorm(String backendName) {
        Backend backend = backend(backendName);
        SplittableRandom rnd = new SplittableRandom(1);
        int n = 3, dim = 128;
        float[] x = gaussian(rnd, n * dim);
        float[] weight = gaussian(rnd, dim);
        float[] ref = new float[n * dim];
        float[] got = new float[n * dim];
        REFERENCE.rmsnorm(ref, x, weight, n, dim, 1e-5f);
        backend.rmsnorm(got, x, weight, n, dim, 1e-5f);
        checkAll(backend, ref, got, "rmsnorm");
    }

    static Stream<Arguments> ropeCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String b : backends().toList()) for (boolean neox : new boolean[] {false, true}) cases.add(Arguments.of(b, neox));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} neox={1}")
    @MethodSource("ropeCases")
    void rope(String backendName, boolean neox) {
        Backend backend = backend(backendName);
        SplittableRandom rnd = new SplittableRandom(2);
        int n = 5, heads = 4, headDim = 32;
        float[] invFreq = new float[headDim / 2];
        for (int i = 0; i < invFreq.length; i++) invFreq[i] = (float) Math.pow(10000, -2.0 * i / headDim);
        float[] ref = gaussian(rnd, n * heads * headDim);
        float[] got = ref.clone();
        REFERENCE.rope(ref, n, heads, headDim, 7, invFreq, neox);
        backend.rope(got, n, heads, headDim, 7, invFreq, neox);
        checkAll(backend, ref, got, "rope");
    }

    /**
     * GQA: 4 query heads share 2 KV heads. Shapes: one short block; several key blocks (the running
     * max moves between blocks); a head dimension that is not a whole number of vectors.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void attentionPrefill(String backendName) {
        Backend backend = backend(backendName);
        SplittableRandom rnd = new SplittableRandom(3);
        int heads = 4, kvHeads = 2;
        for (int[] shape : new int[][] {{9, 32}, {150, 64}, {70, 72}}) {
            int n = shape[0], headDim = shape[1];
            float[] q = gaussian(rnd, n * heads * headDim);
            float[] k = gaussian(rnd, n * kvHeads * headDim);
            float[] v = gaussian(rnd, n * kvHeads * headDim);
            for (int i = 0; i < q.length; i++) q[i] *= 1 + (i / (heads * headDim)) % 7; // later queries sharper
            float[] ref = new float[n * heads * headDim];
            float[] got = new float[n * heads * headDim];
            REFERENCE.attentionPrefill(q, k, v, ref, n, heads, kvHeads, headDim);
            backend.attentionPrefill(q, k, v, got, n, heads, kvHeads, headDim);
            checkAll(backend, ref, got, "attentionPrefill n=" + n + " headDim=" + headDim);
        }
    }

    static Stream<Arguments> decodeCases() {
        List<Arguments> cases = new ArrayList<>();
        for (String b : backends().toList()) for (KvCache.Dtype d : KvCache.Dtype.values()) cases.add(Arguments.of(b, d));
        return cases.stream();
    }

    /** 11 prompt tokens then 2 appended decode tokens, in layer 1 of a 2-layer cache with spare capacity. */
    @ParameterizedTest(name = "{0} {1} cache")
    @MethodSource("decodeCases")
    void attentionDecode(String backendName, KvCache.Dtype dtype) {
        Backend backend = backend(backendName);
        SplittableRandom rnd = new SplittableRandom(4);
        int n = 11, heads = 4, kvHeads = 2, headDim = 32;
        KvCache cache = new KvCache(2, kvHeads, headDim, new int[] {16, 16}, dtype);
        cache.fillFromPrefill(1, gaussian(rnd, n * kvHeads * headDim), gaussian(rnd, n * kvHeads * headDim), n, null, REFERENCE);
        for (int p = n; p < n + 2; p++) {
            cache.append(1, gaussian(rnd, kvHeads * headDim), 0, gaussian(rnd, kvHeads * headDim), 0, p);
        }
        float[] q = gaussian(rnd, heads * headDim);
        float[] ref = new float[heads * headDim];
        float[] got = new float[heads * headDim];
        REFERENCE.attentionDecode(q, cache, 1, ref, heads);
        backend.attentionDecode(q, cache, 1, got, heads);
        checkAll(backend, ref, got, "attentionDecode");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void swiglu(String backendName) {
        Backend backend = backend(backendName);
        SplittableRandom rnd = new SplittableRandom(5);
        int n = 3, dim = 192;
        float[] ref = gaussian(rnd, n * dim);
        float[] up = gaussian(rnd, n * dim);
        float[] got = ref.clone();
        REFERENCE.swiglu(ref, up, n, dim);
        backend.swiglu(got, up, n, dim);
        checkAll(backend, ref, got, "swiglu");
    }

    private static void checkAll(Backend backend, float[] ref, float[] got, String op) {
        float max = 0;
        for (float r : ref) max = Math.max(max, Math.abs(r));
        assertTrue(max > 0, op + ": the reference output is all zeros, so the test would prove nothing");
        for (int i = 0; i < ref.length; i++) check(backend, ref[i], got[i], OP_REL * max, op + "[" + i + "]");
    }

    private static void check(Backend backend, float ref, float got, double tol, String where) {
        if (backend.name().equals("threads")) {
            assertEquals(ref, got, 0f, "threads must equal the reference bit for bit at " + where);
        } else {
            assertEquals(ref, got, tol, backend.name() + " at " + where);
        }
    }

    /** Random values quantized to {@code type}, in native memory as a memory-mapped weight would be. */
    static Weight weight(GGMLType type, int rows, int cols, SplittableRandom rnd) {
        byte[] bytes = Quantize.quantize(type, gaussian(rnd, rows * cols));
        MemorySegment seg = Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return new Weight("w", type, seg, rows, cols, type.byteSize(cols));
    }

    static float[] gaussian(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rnd.nextGaussian();
        return a;
    }
}
