package dev.windowkv.engine.model;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.Compressor;
import dev.windowkv.engine.kvcache.KeptTokens;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;
import dev.windowkv.engine.kvcache.PrefillLayer;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * FullKV's chunked prefill straight into the cache (Compressor.keepsEveryToken) against the same
 * policy staged off the heap with heap copies of each layer's keys and values so far (the path every
 * prefill took before), interleaved in one JVM and timed by the process's CPU time. Prints tokens per
 * CPU-second of each, each round, and the median ratio direct ÷ staged.
 * {@code java --add-modules jdk.incubator.vector -cp <test class path> dev.windowkv.engine.model.DirectFullKvCpuTime model.gguf 2048 2 2}
 */
public final class DirectFullKvCpuTime {
    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        int n = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (Model m = Model.load(model); Backend b = Backends.create("vector", threads)) {
            ModelConfig c = m.config();
            int[] tokens = new SplittableRandom(1).ints(n, 0, c.vocabSize()).toArray();
            double[] ratios = new double[rounds];
            String[] names = {"staged", "direct"};
            for (int r = -1; r < rounds; r++) { // round -1 warms up
                double[] perCpu = new double[2];
                for (int i = 0; i < 2; i++) {
                    int which = r % 2 == 0 ? i : 1 - i;
                    Compressor full = Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(), c.headDim(), n, null);
                    Compressor staged = new Compressor() {
                        @Override
                        public int capacity(int layer) {
                            return full.capacity(layer);
                        }

                        @Override
                        public KeptTokens select(PrefillLayer layer) {
                            return full.select(layer);
                        }

                        @Override
                        public int queries() {
                            return 0;
                        }
                    };
                    try (Transformer tf = new Transformer(m, b)) {
                        long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
                        tf.prefill(tokens, which == 0 ? staged : full, 1, KvCache.Dtype.F32);
                        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9, wall = (System.nanoTime() - t0) / 1e9;
                        perCpu[which] = n / cpu;
                        if (r >= 0) System.out.printf("round %d %s: %.1f tok per CPU-s, %.1f tok/s wall%n", r, names[which], n / cpu, n / wall);
                    }
                }
                if (r >= 0) ratios[r] = perCpu[1] / perCpu[0];
            }
            java.util.Arrays.sort(ratios);
            System.out.printf("direct / staged per CPU-second: median %.3f, range %.3f-%.3f%n", ratios[rounds / 2], ratios[0],
                    ratios[rounds - 1]);
        }
    }
}
