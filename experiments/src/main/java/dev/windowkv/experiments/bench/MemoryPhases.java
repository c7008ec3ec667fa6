package dev.windowkv.experiments.bench;

import dev.windowkv.engine.model.Transformer;

import java.util.ArrayList;
import java.util.List;

/**
 * Resident memory per phase of one prompt length: a FullKV prefill (its peak, and after it), the
 * decode after it, a prefill compressed to a budget as it goes (after it), and the decode after
 * that, each against {@code file + the cache's K and V + 256 MiB}. The weights are mapped, so the
 * resident set counts the file's pages once read: after the first prefill, all of them.
 *
 * <p>The heap is collected ({@code System.gc()}, then a second for G1 to uncommit) before each
 * prefill, so that one phase's figures do not hold the previous phase's garbage; within a phase
 * nothing is collected on purpose.
 */
public final class MemoryPhases {
    /** Everything besides the weights and the cache: the JVM, activations, the capture's leftovers. */
    public static final long OVERHEAD = 256L << 20;

    private MemoryPhases() {}

    public static List<BenchResults.MemoryPhase> measure(EngineBench e, long fileBytes, int n, String policy,
                                                         int budget, int gen) {
        List<BenchResults.MemoryPhase> out = new ArrayList<>();
        collect();
        out.add(phase(n, "baseline (weights read, heap collected)", null, fileBytes, 0, false));
        ProcessMemory.resetPeak();
        Transformer full = e.prefilled(n, gen);
        out.add(phase(n, "after FullKV prefill", null, fileBytes, full.cache().bytes(), true));
        e.decodeMore(full, gen);
        out.add(phase(n, "FullKV decode", null, fileBytes, full.cache().bytes(), false));
        full.close(); // its cache goes back to the OS now (off the heap), not at the next collection

        collect();
        ProcessMemory.resetPeak();
        Transformer small = e.compressed(n, EngineBench.policy(policy, budget), gen);
        out.add(phase(n, "after " + policy + " prefill + compression", budget, fileBytes, small.cache().bytes(), false));
        e.decodeMore(small, gen);
        out.add(phase(n, policy + " decode", budget, fileBytes, small.cache().bytes(), false));
        small.close();
        return out;
    }

    private static BenchResults.MemoryPhase phase(int n, String name, Integer budget, long fileBytes, long kvBytes, boolean onPeak) {
        Runtime rt = Runtime.getRuntime();
        return new BenchResults.MemoryPhase(n, name, budget, ProcessMemory.residentBytes(), ProcessMemory.peakResidentBytes(),
                fileBytes, kvBytes, fileBytes + kvBytes + OVERHEAD, onPeak, rt.totalMemory() - rt.freeMemory(), rt.totalMemory());
    }

    /**
     * Collects the heap and gives G1 a second to hand the freed regions back: it uncommits them on
     * a background thread after the collection, and a peak reset before that would start from the
     * previous phase's resident set.
     */
    private static void collect() {
        System.gc();
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
