package dev.windowkv.engine.model;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.kvcache.KvCache;
import dev.windowkv.engine.kvcache.Policies;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A FullKV prefill with the FFN computed in blocks of 512 tokens (before 2026-12-02's memory work)
 * against blocks of 256 (after), interleaved in one JVM and timed by the process's CPU time, so that a
 * machine loaded by other processes still gives a usable ratio. Prints tokens per CPU-second and per
 * wall second of each, each round, and the median ratio.
 * {@code java --add-modules jdk.incubator.vector -cp <test class path> dev.windowkv.engine.model.FfnChunkCpuTime model.gguf 1024 5 2}
 */
public final class FfnChunkCpuTime {
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
            int[] blocks = {512, 256};
            for (int r = -1; r < rounds; r++) { // round -1 warms up
                double[] perCpu = new double[2];
                for (int i = 0; i < 2; i++) {
                    int which = r % 2 == 0 ? i : 1 - i;
                    try (Transformer tf = new Transformer(m, b)) {
                        tf.ffnChunk(blocks[which]);
                        long cpu0 = os.getProcessCpuTime(), t0 = System.nanoTime();
                        tf.prefill(tokens, Policies.create("full", Map.of()).start(c.nLayers(), c.nHeads(), c.nKvHeads(),
                                c.headDim(), n, null), 1, KvCache.Dtype.F32);
                        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9, wall = (System.nanoTime() - t0) / 1e9;
                        perCpu[which] = n / cpu;
                        if (r >= 0) {
                            System.out.printf("round %d FFN block %d: %.1f tok per CPU-s, %.1f tok/s wall%n", r, blocks[which],
                                    n / cpu, n / wall);
                        }
                    }
                }
                if (r >= 0) ratios[r] = perCpu[1] / perCpu[0];
            }
            java.util.Arrays.sort(ratios);
            System.out.printf("256 / 512 per CPU-second: median %.3f, range %.3f-%.3f%n", ratios[rounds / 2], ratios[0],
                    ratios[rounds - 1]);
        }
    }
}
