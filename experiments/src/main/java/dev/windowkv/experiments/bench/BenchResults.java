package dev.windowkv.experiments.bench;

import dev.windowkv.plots.BackendResult;

import java.util.List;

/**
 * One weight type's speed comparison, as JSON. The first five fields are exactly a
 * {@code dev.windowkv.plots.BenchReport} (so {@code windowkv plot} draws the backend comparison);
 * the rest are the figures behind it.
 *
 * @param promptTokens     the prompt length of the prefill figures in {@code results}
 * @param measurements     every speed measured, per engine, test, thread count and round
 * @param ratios           ours ÷ llama.cpp native per test, per round
 * @param bytesPerToken    weight bytes decode reads per token (every matrix once, the output one included)
 * @param bandwidthGBs     this machine's read bandwidth at {@code threads} threads, measured in the same run
 * @param compression      compression of a captured 2048-token prefill under WindowKV at each budget (and FullKV), per round
 * @param memory           the first deep decode's resident memory (kept for older readers; {@code memoryPhases} has more)
 * @param bandwidthRounds  the read bandwidth measured before and after each round
 * @param bandwidthNote    whether the bandwidth moved during the run, in words
 * @param spreads          per test, ours ÷ llama.cpp over the rounds: mean, lowest, highest
 * @param attention        attention's share of our prefill time, per round and prompt length
 * @param fmaPeak          how the F32 FMA peak was found (lanes, ports, clock and its source)
 * @param peakShares       per engine and test (mean over rounds): decode as a share of the bandwidth limit,
 *                         prefill as a share of the FMA peak
 * @param memoryPhases     resident memory after prefill, after compression and during decode, per prompt length
 */
public record BenchResults(
        String machine,
        String date,
        String model,
        int promptTokens,
        List<BackendResult> results,
        String weightType,
        int threads,
        String llamaCppCommit,
        String llamaCppInProcess,
        long fileBytes,
        long bytesPerToken,
        double bandwidthGBs,
        double bandwidthGBs1Thread,
        double decodeLimitTokPerSec,
        List<Measurement> measurements,
        List<Ratio> ratios,
        List<EngineBench.Compressed> compression,
        Memory memory,
        List<RoundBandwidth> bandwidthRounds,
        String bandwidthNote,
        List<RatioSpread> spreads,
        List<AttentionShare> attention,
        FmaPeak fmaPeak,
        List<PeakShare> peakShares,
        List<MemoryPhase> memoryPhases,
        PairedDecode.Result pairedDecode) {

    /** {@code test} is llama-bench's name: {@code pp512}, {@code tg64}, {@code tg64@d2048}. */
    public record Measurement(int round, String engine, String test, int threads, double tokPerSec, double stddev) {}

    /** Ours ÷ llama.cpp native ({@code ratio}) and ÷ the in-process binding ({@code ratioInProcess}, NaN where it did not run). */
    public record Ratio(int round, String test, int threads, double ours, double llamaCpp, double ratio,
                        double llamaCppInProcess, double ratioInProcess) {}

    /** Resident memory after decoding at 2048 tokens of FullKV context, next to what it should be. */
    public record Memory(long rssBytes, long peakRssBytes, long fileBytes, long kvBytes, long heapUsedBytes) {}

    /** Read bandwidth at the run's thread count just before and just after round {@code round}, GB/s. */
    public record RoundBandwidth(int round, double beforeGBs, double afterGBs) {}

    /** Ours ÷ llama.cpp native for one test over every round: the spread is the run's noise figure. */
    public record RatioSpread(String test, int threads, int rounds, double mean, double min, double max) {
        /** (max − min) ÷ mean. */
        public double spread() {
            return (max - min) / mean;
        }
    }

    /** Attention's share of the wall time of our {@code promptTokens}-token prefill in one round. */
    public record AttentionShare(int round, int promptTokens, double share) {}

    /**
     * One engine's speed in one test (mean over rounds) next to its ceiling: for decode ({@code tg})
     * the bandwidth limit in tokens per second, for prefill ({@code pp}) the FMA peak, from
     * {@code flopsPerToken} of the model's shape.
     */
    public record PeakShare(String engine, String test, int threads, double tokPerSec, String ceiling, double ceilingTokPerSec,
                            double share) {}

    /**
     * Resident memory at the end of one phase of an {@code promptTokens}-token prompt (a prefill
     * under FullKV or with compression to {@code budget}, or the decode after it), its peak during
     * the phase, and the target it is held to: the file, the cache's K and V, and 256 MiB for
     * everything else. The heap is collected before each prefill, so a phase does not carry the
     * previous one's garbage. {@code limitOnPeak}: the target holds for the peak (a FullKV prefill),
     * else for the resident set at the phase's end (after compression, during decode).
     */
    public record MemoryPhase(int promptTokens, String phase, Integer budget, long rssBytes, long peakRssBytes, long fileBytes,
                              long kvBytes, long limitBytes, boolean limitOnPeak, long heapUsedBytes, long heapCommittedBytes) {
        public boolean withinLimit() {
            return (limitOnPeak ? peakRssBytes : rssBytes) <= limitBytes;
        }
    }
}
