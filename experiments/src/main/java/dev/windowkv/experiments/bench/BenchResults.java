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
        Memory memory) {

    /** {@code test} is llama-bench's name: {@code pp512}, {@code tg64}, {@code tg64@d2048}. */
    public record Measurement(int round, String engine, String test, int threads, double tokPerSec, double stddev) {}

    /** Ours ÷ llama.cpp native ({@code ratio}) and ÷ the in-process binding ({@code ratioInProcess}, NaN where it did not run). */
    public record Ratio(int round, String test, int threads, double ours, double llamaCpp, double ratio,
                        double llamaCppInProcess, double ratioInProcess) {}

    /** Resident memory after decoding at 2048 tokens of FullKV context, next to what it should be. */
    public record Memory(long rssBytes, long peakRssBytes, long fileBytes, long kvBytes, long heapUsedBytes) {}
}
