package dev.windowkv.engine.backend;

import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.kernels.Attention;
import dev.windowkv.kernels.kv.KvCompaction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.function.Executable;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The KV cache lives off the heap. Its bytes must be those the device's compaction kernels write into
 * a heap cache, decode over it must give the heap cache's results bit for bit on every dtype and Java
 * backend (the vector backend's F32 kernel within 1e-6 here, where the JIT tiers may differ), and a freed cache must refuse its storage with an error that says so.
 */
class OffHeapKvCacheTest {
    private static final int N = 70, HEADS = 8, KV_HEADS = 2, HEAD_DIM = 64, CAPACITY = 80, APPENDED = 3;
    private static final List<String> BACKENDS = List.of("scalar", "threads", "vector");
    private static final List<Backend> OPEN = new ArrayList<>();

    private static Backend backend(String name) {
        Backend b = Backends.create(name, 3);
        OPEN.add(b);
        return b;
    }

    @AfterAll
    static void closeBackends() {
        OPEN.forEach(Backend::close);
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String b : BACKENDS) for (KvCache.Dtype d : KvCache.Dtype.values()) out.add(Arguments.of(b, d));
        return out.stream();
    }

    private static float[] gaussian(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1) * (1 + i % 5);
        return x;
    }

    /** Head 0 keeps every other token, head 1 the last 50 in reverse: ragged lengths, out-of-order slots. */
    private static KeptTokens ragged() {
        int[] h0 = new int[N / 2];
        for (int i = 0; i < h0.length; i++) h0[i] = 2 * i;
        int[] h1 = new int[50];
        for (int i = 0; i < h1.length; i++) h1[i] = N - 1 - i;
        return KeptTokens.ragged(N, new int[][] {h0, h1});
    }

    /** A two-layer cache with layer 1 filled from {@code k}, {@code v} and {@link #APPENDED} decode tokens. */
    private static KvCache filled(KvCache.Dtype dtype, float[] k, float[] v, float[][] next, Backend b) {
        KvCache cache = new KvCache(2, KV_HEADS, HEAD_DIM, new int[] {CAPACITY, CAPACITY}, dtype);
        cache.fillFromPrefill(1, k, v, N, ragged(), b);
        for (int t = 0; t < APPENDED; t++) cache.append(1, next[t], 0, next[APPENDED + t], 0, N + t);
        return cache;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void storageHoldsTheBytesTheCompactionKernelsWrite(String backendName, KvCache.Dtype dtype) {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] k = gaussian(rnd, N * KV_HEADS * HEAD_DIM), v = gaussian(rnd, N * KV_HEADS * HEAD_DIM);
        float[][] next = new float[2 * APPENDED][];
        for (int i = 0; i < next.length; i++) next[i] = gaussian(rnd, KV_HEADS * HEAD_DIM);
        try (KvCache cache = filled(dtype, k, v, next, backend(backendName))) {
            // The heap cache as it was: the compaction kernels over arrays of the same layout.
            int rowBytes = (int) dtype.rowBytes(HEAD_DIM);
            int elements = KV_HEADS * CAPACITY * HEAD_DIM;
            float[] kf = new float[elements], vf = new float[elements];
            short[] kh = new short[elements], vh = new short[elements];
            byte[] kb = new byte[KV_HEADS * CAPACITY * rowBytes], vb = new byte[KV_HEADS * CAPACITY * rowBytes];
            KeptTokens sel = ragged();
            int count = sel.count();
            int[] flat = sel.flat(KV_HEADS);
            for (int item = 0; item < KV_HEADS * count; item++) {
                if (item % count >= sel.count(item / count)) continue; // padding of a ragged head
                switch (dtype) {
                    case F32 -> KvCompaction.gatherF32(item, k, v, KV_HEADS, HEAD_DIM, flat, count, CAPACITY, kf, vf);
                    case F16 -> KvCompaction.gatherF16(item, k, v, KV_HEADS, HEAD_DIM, flat, count, CAPACITY, kh, vh);
                    case Q8_0 -> KvCompaction.gatherQ8_0(item, k, v, KV_HEADS, HEAD_DIM, flat, count, CAPACITY, kb, vb);
                    case Q4_0 -> KvCompaction.gatherQ4_0(item, k, v, KV_HEADS, HEAD_DIM, flat, count, CAPACITY, kb, vb);
                }
            }
            for (int t = 0; t < APPENDED; t++) {
                for (int h = 0; h < KV_HEADS; h++) {
                    int slot = sel.count(h) + t;
                    float[] nk = next[t], nv = next[APPENDED + t];
                    switch (dtype) {
                        case F32 -> KvCompaction.appendF32(h, nk, 0, nv, 0, HEAD_DIM, slot, CAPACITY, kf, vf);
                        case F16 -> KvCompaction.appendF16(h, nk, 0, nv, 0, HEAD_DIM, slot, CAPACITY, kh, vh);
                        case Q8_0 -> KvCompaction.appendQ8_0(h, nk, 0, nv, 0, HEAD_DIM, slot, CAPACITY, kb, vb);
                        case Q4_0 -> KvCompaction.appendQ4_0(h, nk, 0, nv, 0, HEAD_DIM, slot, CAPACITY, kb, vb);
                    }
                }
            }
            // Only the valid slots: a gather past a ragged head's count writes padding the heap cache also held.
            for (int h = 0; h < KV_HEADS; h++) {
                int valid = cache.length(1, h);
                switch (dtype) {
                    case F32 -> {
                        assertArrayEquals(slots(kf, h, valid), slots(cache.keysF32(1), h, valid), "keys of head " + h);
                        assertArrayEquals(slots(vf, h, valid), slots(cache.valuesF32(1), h, valid), "values of head " + h);
                    }
                    case F16 -> {
                        assertArrayEquals(slots(kh, h, valid), slots(cache.keysF16(1), h, valid), "keys of head " + h);
                        assertArrayEquals(slots(vh, h, valid), slots(cache.valuesF16(1), h, valid), "values of head " + h);
                    }
                    case Q8_0, Q4_0 -> {
                        assertArrayEquals(slots(kb, h, valid, rowBytes), slots(cache.keysQuant(1), h, valid, rowBytes), "keys of head " + h);
                        assertArrayEquals(slots(vb, h, valid, rowBytes), slots(cache.valuesQuant(1), h, valid, rowBytes), "values of head " + h);
                    }
                }
            }
        }
    }

    /**
     * A staged prefill's keys and values stay in its blocks, {@code [kvHead][n][headDim]}, and fill the
     * cache from there: the same bytes as from the prompt's rows on the heap, for every dtype.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void rowsFilledFromStagedBlocksAreThoseFilledFromTheHeap(String backendName, KvCache.Dtype dtype) {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] k = gaussian(rnd, N * KV_HEADS * HEAD_DIM), v = gaussian(rnd, N * KV_HEADS * HEAD_DIM);
        Backend b = backend(backendName);
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofShared();
             KvCache heap = new KvCache(2, KV_HEADS, HEAD_DIM, new int[] {CAPACITY, CAPACITY}, dtype);
             KvCache staged = new KvCache(2, KV_HEADS, HEAD_DIM, new int[] {CAPACITY, CAPACITY}, dtype)) {
            java.lang.foreign.MemorySegment kBlock = arena.allocate((long) k.length * Float.BYTES);
            java.lang.foreign.MemorySegment vBlock = arena.allocate((long) v.length * Float.BYTES);
            for (int t = 0; t < N; t++) {
                for (int h = 0; h < KV_HEADS; h++) {
                    long at = ((long) h * N + t) * HEAD_DIM * Float.BYTES;
                    java.lang.foreign.MemorySegment.copy(k, (t * KV_HEADS + h) * HEAD_DIM, kBlock, java.lang.foreign.ValueLayout.JAVA_FLOAT, at, HEAD_DIM);
                    java.lang.foreign.MemorySegment.copy(v, (t * KV_HEADS + h) * HEAD_DIM, vBlock, java.lang.foreign.ValueLayout.JAVA_FLOAT, at, HEAD_DIM);
                }
            }
            heap.fillFromPrefill(1, k, v, N, ragged(), b);
            staged.fillFromStaged(1, kBlock, vBlock, N, ragged(), b);
            for (int h = 0; h < KV_HEADS; h++) {
                assertArrayEquals(heap.positions(1, h), staged.positions(1, h), "positions of head " + h);
                int bytes = (int) dtype.rowBytes(HEAD_DIM) * heap.length(1, h);
                long at = (long) h * CAPACITY * dtype.rowBytes(HEAD_DIM);
                assertArrayEquals(heap.values(1).asSlice(at, bytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        staged.values(1).asSlice(at, bytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "values of head " + h);
                assertArrayEquals(heap.keys(1).asSlice(at, bytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                        staged.keys(1).asSlice(at, bytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "keys of head " + h);
            }
        }
    }

    private static float[] slots(float[] a, int h, int valid) {
        return java.util.Arrays.copyOfRange(a, h * CAPACITY * HEAD_DIM, (h * CAPACITY + valid) * HEAD_DIM);
    }

    private static short[] slots(short[] a, int h, int valid) {
        return java.util.Arrays.copyOfRange(a, h * CAPACITY * HEAD_DIM, (h * CAPACITY + valid) * HEAD_DIM);
    }

    private static byte[] slots(byte[] a, int h, int valid, int rowBytes) {
        return java.util.Arrays.copyOfRange(a, h * CAPACITY * rowBytes, (h * CAPACITY + valid) * rowBytes);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void decodeOverTheOffHeapCacheIsTheHeapCachesBitForBit(String backendName, KvCache.Dtype dtype) {
        Backend b = backend(backendName);
        SplittableRandom rnd = new SplittableRandom(11);
        float[] k = gaussian(rnd, N * KV_HEADS * HEAD_DIM), v = gaussian(rnd, N * KV_HEADS * HEAD_DIM);
        float[][] next = new float[2 * APPENDED][];
        for (int i = 0; i < next.length; i++) next[i] = gaussian(rnd, KV_HEADS * HEAD_DIM);
        float[] q = gaussian(rnd, HEADS * HEAD_DIM);
        float scale = (float) (1.0 / Math.sqrt(HEAD_DIM));
        try (KvCache cache = filled(dtype, k, v, next, b)) {
            float[] got = new float[HEADS * HEAD_DIM];
            b.attentionDecode(q, cache, 1, got, HEADS);
            // The kernels the backend ran on the heap cache, over heap copies of the same storage.
            float[] expected = new float[HEADS * HEAD_DIM];
            int group = HEADS / KV_HEADS;
            for (int h = 0; h < HEADS; h++) {
                int kvh = h / group, length = cache.length(1, kvh), o = h * HEAD_DIM;
                switch (dtype) {
                    case F32 -> {
                        if (backendName.equals("vector")) {
                            VectorDecodeBefore.decode(q, o, cache.keysF32(1), cache.valuesF32(1), CAPACITY, length, kvh, HEAD_DIM,
                                    expected, o, scale);
                        } else {
                            Attention.decode(q, o, cache.keysF32(1), cache.valuesF32(1), CAPACITY, length, kvh, HEAD_DIM,
                                    expected, o, scale);
                        }
                    }
                    case F16 -> Attention.decodeF16(q, o, cache.keysF16(1), cache.valuesF16(1), CAPACITY, length, kvh, HEAD_DIM,
                            expected, o, scale);
                    case Q8_0 -> Attention.decodeQ8_0(q, o, cache.keysQuant(1), cache.valuesQuant(1), CAPACITY, length, kvh,
                            HEAD_DIM, expected, o, scale);
                    case Q4_0 -> Attention.decodeQ4_0(q, o, cache.keysQuant(1), cache.valuesQuant(1), CAPACITY, length, kvh,
                            HEAD_DIM, expected, o, scale);
                }
            }
            if (backendName.equals("vector") && dtype == KvCache.Dtype.F32) {
                // Vector API code: its lane reductions and EXP round differently in the interpreter and in C2,
                // and the two kernels may be in different tiers here; OffHeapDecodeCpuTime checks the bits
                // once both are compiled.
                float largest = 0;
                for (float e : expected) largest = Math.max(largest, Math.abs(e));
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], got[i], 1e-6f * largest, "vector F32: decode attention [" + i + "]");
                }
            } else {
                assertArrayEquals(expected, got, backendName + " " + dtype + ": decode attention, bit for bit");
            }
        }
    }

    @Test
    void aFreedCacheRefusesItsStorageWithAnErrorThatSaysSo() {
        Backend b = backend("vector");
        SplittableRandom rnd = new SplittableRandom(3);
        float[] k = gaussian(rnd, N * KV_HEADS * HEAD_DIM);
        float[][] next = new float[2 * APPENDED][];
        for (int i = 0; i < next.length; i++) next[i] = gaussian(rnd, KV_HEADS * HEAD_DIM);
        KvCache cache = filled(KvCache.Dtype.F32, k, k, next, b);
        long bytes = cache.bytes();
        assertFalse(cache.isFreed());
        cache.close();
        assertTrue(cache.isFreed());
        cache.close(); // twice is fine
        float[] out = new float[HEADS * HEAD_DIM];
        List<Executable> uses = List.of(
                () -> cache.keys(1),
                () -> cache.values(0), // a layer never allocated is not allocated after the free either
                () -> cache.keysF32(1),
                () -> cache.append(1, next[0], 0, next[1], 0, N + APPENDED),
                () -> cache.fillFromPrefill(0, k, k, N, null, b),
                () -> b.attentionDecode(new float[HEADS * HEAD_DIM], cache, 1, out, HEADS),
                () -> backend("scalar").attentionDecode(new float[HEADS * HEAD_DIM], cache, 1, out, HEADS));
        for (Executable use : uses) {
            IllegalStateException e = assertThrows(IllegalStateException.class, use);
            assertTrue(e.getMessage().contains("KV cache was freed"), e.getMessage());
        }
        // What it recorded stays readable.
        assertEquals(bytes, cache.bytes());
        assertEquals(N / 2 + APPENDED, cache.length(1, 0));
    }
}
