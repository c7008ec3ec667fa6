package dev.windowkv.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.backend.DeviceCapture;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.DeviceSelection;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.TaskType;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The host side of a capture whose keys and values may stay on a device (issue 16): when the
 * capture asks the backend for that ({@code Backend.deviceCapture}), for which cache sizes, what it
 * tells a device prefill to select, and that a host backend restores exactly as before.
 */
class CaptureOnDeviceTest {
    private static final Path MODEL = Path.of("../experiments/models/windowkv-induction.gguf");
    private static final int ROOM = 8;

    private static List<KvPolicy> deviceSelected() {
        return List.of(Policies.create("snapkv", Map.of("budget", "24")), Policies.create("windowkv", Map.of("budget", "24")),
                Policies.create("h2o", Map.of("budget", "40")), Policies.create("pyramidkv", Map.of("budget", "24")));
    }

    /** The vector backend, but {@code deviceCapture} records what it was asked and hands out {@code give}. */
    private static Backend recording(Backend vector, List<int[]> asked, DeviceCapture give) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("deviceCapture")) {
                        asked.add(((int[]) args[2]).clone());
                        return give;
                    }
                    try {
                        return method.invoke(vector, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * Asked only for F32 restores of a known decode room, when every policy selects on the device;
     * with per layer the largest of the policies' caches plus that room. A ChunkKV among them, an F16
     * cache, or the form without the restores' needs keep the keys and values on the host.
     */
    @Test
    void theDeviceIsAskedOnlyWhenEveryPolicySelectsThereForF32Caches() {
        try (Model m = Model.load(MODEL); Backend vector = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            int[] tokens = PrefillCaptureTest.tokens(150, 3);
            List<int[]> asked = new ArrayList<>();
            Backend b = recording(vector, asked, null);
            try (PrefillCapture cap = PrefillCapture.run(new Transformer(m, b), tokens, deviceSelected(), TaskType.QA, ROOM,
                    KvCache.Dtype.F32)) {
                assertEquals(1, asked.size(), "asked once");
                int[] expected = new int[c.nLayers()];
                for (KvPolicy p : deviceSelected()) {
                    Compressor cp = p.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), tokens.length, TaskType.QA);
                    for (int l = 0; l < expected.length; l++) {
                        expected[l] = Math.max(expected[l], Math.min(tokens.length, cp.capacity(l)));
                    }
                }
                for (int l = 0; l < expected.length; l++) expected[l] += ROOM;
                assertArrayEquals(expected, asked.getFirst(), "per layer the largest cache, with the decode room");
                assertFalse(cap.onDevice(), "the backend gave none: the keys and values are on the host");
                assertTrue(cap.bytes() > 0);
            }
            List<KvPolicy> withChunk = new ArrayList<>(deviceSelected());
            withChunk.add(Policies.create("chunkkv", Map.of("budget", "24")));
            PrefillCapture.run(new Transformer(m, b), tokens, withChunk, TaskType.QA, ROOM, KvCache.Dtype.F32).close();
            PrefillCapture.run(new Transformer(m, b), tokens, deviceSelected(), TaskType.QA, ROOM, KvCache.Dtype.F16).close();
            PrefillCapture.run(new Transformer(m, b), tokens, deviceSelected(), TaskType.QA).close();
            assertEquals(1, asked.size(), "not asked with ChunkKV, an F16 cache, or unknown restores");
        }
    }

    /** A device prefill is told every policy's selection per layer, in the capture's order; none with ChunkKV. */
    @Test
    void aDevicePrefillIsToldEveryPolicysSelection() {
        try (Model m = Model.load(MODEL); Backend vector = Backends.create("vector", 1)) {
            ModelConfig c = m.config();
            int n = 150;
            Transformer tf = new Transformer(m, vector);
            try (PrefillCapture cap = PrefillCapture.start(tf, n, deviceSelected(), TaskType.QA)) {
                List<Compressor> compressors = new ArrayList<>();
                for (KvPolicy p : deviceSelected()) {
                    compressors.add(p.start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, TaskType.QA));
                }
                boolean scored = false;
                for (int l = 0; l < c.nLayers(); l++) {
                    DeviceSelection[] specs = cap.deviceSelections(l, n);
                    assertEquals(compressors.size(), specs.length);
                    for (int i = 0; i < specs.length; i++) {
                        assertEquals(compressors.get(i).deviceSelection(l, n), specs[i], "layer " + l + ", policy " + i);
                        scored |= specs[i].kind() != DeviceSelection.Kind.NO_SCORES;
                    }
                }
                assertTrue(scored, "some policy should score on the device");
                assertNull(cap.deviceSelections(0, n + 1), "only for the capture's prompt");
            }
            List<KvPolicy> withChunk = new ArrayList<>(deviceSelected());
            withChunk.add(Policies.create("chunkkv", Map.of("budget", "24")));
            try (PrefillCapture cap = PrefillCapture.start(tf, n, withChunk, TaskType.QA)) {
                assertNull(cap.deviceSelections(0, n), "ChunkKV selects on the host: the queries must come back");
            }
        }
    }

    /**
     * On a host backend the form that names the restores' needs captures and restores as the other:
     * the same kept tokens per layer and KV head and the same greedy tokens under every policy.
     */
    @Test
    void aHostBackendRestoresAsBefore() {
        try (Model m = Model.load(MODEL); Backend vector = Backends.create("vector", 2)) {
            ModelConfig c = m.config();
            int[] tokens = PrefillCaptureTest.tokens(150, 9);
            try (PrefillCapture before = PrefillCapture.run(new Transformer(m, vector), tokens, deviceSelected(), TaskType.QA);
                 PrefillCapture now = PrefillCapture.run(new Transformer(m, vector), tokens, deviceSelected(), TaskType.QA,
                         ROOM, KvCache.Dtype.F32)) {
                assertFalse(now.onDevice());
                assertEquals(before.bytes(), now.bytes());
                assertArrayEquals(before.logits(), now.logits());
                for (KvPolicy p : deviceSelected()) {
                    Transformer a = new Transformer(m, vector), b = new Transformer(m, vector);
                    a.restore(before, p, ROOM, KvCache.Dtype.F32);
                    b.restore(now, p, ROOM, KvCache.Dtype.F32);
                    for (int l = 0; l < c.nLayers(); l++) {
                        for (int h = 0; h < c.nKvHeads(); h++) {
                            assertArrayEquals(a.cache().positions(l, h), b.cache().positions(l, h), p.name() + " layer " + l);
                        }
                    }
                    int ta = argmax(before.logits()), tb = ta;
                    for (int i = 0; i < 4; i++) {
                        ta = argmax(a.decode(ta));
                        tb = argmax(b.decode(tb));
                        assertEquals(ta, tb, p.name() + ": greedy token " + i);
                    }
                }
            }
        }
    }

    /**
     * A backend that hands out a device capture must prefill into it: the host's prefill has nowhere
     * to put the keys and values then. That is an error, and the capture is released.
     */
    @Test
    void aDeviceCaptureTheBackendDoesNotPrefillIntoIsAnErrorAndReleased() {
        try (Model m = Model.load(MODEL); Backend vector = Backends.create("vector", 2)) {
            boolean[] closed = new boolean[1];
            DeviceCapture fake = () -> closed[0] = true;
            Backend b = recording(vector, new ArrayList<>(), fake);
            Transformer tf = new Transformer(m, b);
            int[] tokens = PrefillCaptureTest.tokens(60, 4);
            assertThrows(IllegalStateException.class,
                    () -> PrefillCapture.run(tf, tokens, deviceSelected(), TaskType.QA, ROOM, KvCache.Dtype.F32));
            assertTrue(closed[0], "the device capture should be closed");
        }
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
