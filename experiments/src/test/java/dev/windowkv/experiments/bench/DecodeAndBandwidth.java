package dev.windowkv.experiments.bench;

import dev.windowkv.engine.backend.Backend;
import dev.windowkv.engine.backend.Backends;
import dev.windowkv.engine.model.Model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Our decode's speed beside the machine's bandwidth state, sample by sample in one JVM: the state
 * ({@link MemoryBandwidth#scaling}, N threads against one), a {@code tokens}-token decode after an
 * empty context, the state again; then the median decode per state. It tells a slow stretch of the
 * VM's memory from one of our own. {@code java --add-modules jdk.incubator.vector -cp <experiments'
 * test class path> dev.windowkv.experiments.bench.DecodeAndBandwidth model.gguf 40 16 2} (samples,
 * tokens, threads).
 */
public final class DecodeAndBandwidth {
    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        int samples = Integer.parseInt(args[1]), tokens = Integer.parseInt(args[2]), threads = Integer.parseInt(args[3]);
        List<Double> open = new ArrayList<>(), capped = new ArrayList<>();
        try (Model m = Model.load(model); Backend b = Backends.create("vector", threads); Arena arena = Arena.ofShared()) {
            EngineBench e = new EngineBench(m, b, 1);
            e.warmUp();
            MemorySegment seg = MemoryBandwidth.filled(arena, 256L << 20);
            MemoryBandwidth.Scaling before = MemoryBandwidth.scaling(seg, threads, 2);
            long t0 = System.nanoTime();
            for (int i = 0; i < samples; i++) {
                double tok = e.decode(tokens, 1, 1).mean();
                MemoryBandwidth.Scaling after = MemoryBandwidth.scaling(seg, threads, 2);
                String state = PairedDecode.state(before, after);
                if (state.equals(PairedDecode.OPEN)) open.add(tok);
                if (state.equals(PairedDecode.CAPPED)) capped.add(tok);
                System.out.printf("%6.1f s  decode %5.2f tok/s | %d/1 threads %4.1f/%4.1f GB/s before, %4.1f/%4.1f after: %s%n",
                        (System.nanoTime() - t0) / 1e9, tok, threads, before.all(), before.one(), after.all(), after.one(), state);
                before = after;
            }
        }
        System.out.printf("open: %d samples, median %.2f tok/s; capped: %d samples, median %.2f tok/s%n", open.size(),
                DecodeSlowdownRun.median(open), capped.size(), DecodeSlowdownRun.median(capped));
    }
}
