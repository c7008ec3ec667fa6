package dev.windowkv.experiments.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.KvPolicy;
import dev.windowkv.engine.model.Model;
import dev.windowkv.engine.model.PrefillCapture;
import dev.windowkv.experiments.cli.DefaultModel;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bench's captures take the path a sweep's take: they give the restores' decode room and cache
 * type, so a device backend is asked to keep the prompt's keys and values on the device
 * ({@code Backend.deviceCapture}), sized for the policies' caches plus that room. Before, the bench
 * captured without them and a device backend brought the keys and values back to the host.
 */
class EngineBenchCaptureTest {
    @Test
    void aBenchCaptureAsksTheBackendToKeepItOnTheDeviceWithTheRestoresRoom() {
        int n = 100, room = 16, budget = 64;
        List<int[]> asked = new ArrayList<>();
        try (Model m = Model.load(DefaultModel.path()); Backend vector = Backends.create("vector", 1)) {
            EngineBench e = new EngineBench(m, recording(vector, asked), 1);
            List<KvPolicy> windowKv = List.of(EngineBench.policy("windowkv", budget));
            try (PrefillCapture cap = e.capture(n, windowKv, room)) {
                e.compress(cap, "windowkv", budget, room); // restores and decodes on the host: no capture was handed out
            }
            assertEquals(1, asked.size(), "the backend should be asked for a device capture once");
            int[] capacity = asked.getFirst();
            assertEquals(m.config().nLayers(), capacity.length);
            var c = m.config();
            var compressor = windowKv.getFirst().start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, null);
            for (int l = 0; l < capacity.length; l++) {
                assertEquals(Math.min(n, compressor.capacity(l)) + room, capacity[l],
                        "layer " + l + ": WindowKV's cache plus the decode room");
            }
        }
    }

    /** The vector backend, but {@code deviceCapture} records the capacities it was asked for and hands out none. */
    private static Backend recording(Backend vector, List<int[]> asked) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("deviceCapture")) {
                        asked.add(((int[]) args[2]).clone());
                        return null;
                    }
                    try {
                        return method.invoke(vector, args);
                    } catch (InvocationTargetException ex) {
                        throw ex.getCause();
                    }
                });
    }
}
