package dev.windowkv.plots;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;
import java.util.Map;

/**
 * One sample of a sweep: one prompt run under one KV-cache policy at one budget. The experiments
 * module writes these with Jackson, one JSON object per line (JSON Lines); the field names here are
 * the JSON keys.
 *
 * @param model              model name, as the sweep reports it (e.g. {@code Llama-3.2-1B-Instruct-Q8_0})
 * @param backend            backend that ran the sample (e.g. {@code java}, {@code tornado})
 * @param policy             policy id: {@code full}, {@code streamingllm}, {@code h2o}, {@code snapkv},
 *                           {@code pyramidkv}, {@code windowkv}, ...; picks the colour and marker
 * @param policyLabel        display label, distinct per policy variant (e.g. {@code WindowKV (max)});
 *                           one line per label in the plots
 * @param options            the policy's options as strings (e.g. {@code poolingKernel=7})
 * @param budget             tokens kept per layer on average; {@code null} or 0 for the full cache
 * @param task               task name (e.g. {@code niah}, {@code hotpotqa})
 * @param taskType           {@code QA} or {@code AGGREGATION}: one panel per type
 * @param length             prompt length in tokens
 * @param depth              needle depth in [0, 1] for needle-in-a-haystack samples, else {@code null}
 * @param seed               seed that built the sample
 * @param sample             sample index within the task
 * @param score              task metric in [0, 1]
 * @param tokensKeptPerLayer cached tokens kept in each layer after compression
 * @param kvBytes            KV-cache bytes after compression
 * @param fullKvBytes        KV-cache bytes the full cache would take for this prompt, at the sweep's
 *                           KV dtype (a row of a lower-precision entry is measured against the same FullKV)
 * @param kvFraction         {@code kvBytes / fullKvBytes}
 * @param prefillMs          prompt processing time
 * @param compressMs         time spent choosing and compacting the kept tokens
 * @param decodeMs           generation time
 * @param generatedTokens    tokens generated
 * @param output             generated text
 * @param expected           accepted answers
 * @param id                 the row's identity: a hash of everything that can change its result
 *                           (model content, sample, policy with resolved options, budget, generation
 *                           budget, KV dtype, backend); null in files written before it existed
 * @param kvDtype            KV-cache storage: {@code f32}, {@code f16}, {@code q8_0} or {@code q4_0};
 *                           {@code null} in rows written before it was recorded
 * @param keptPerHead        prompt tokens kept per layer and KV head, {@code [layer][kvHead]}; they
 *                           differ between heads under head-adaptive budgets (AdaKV); null in older files
 * @param keptRanges         the kept prompt positions per layer and KV head as ascending half-open
 *                           ranges {@code [start0, end0, start1, end1, ...]}, {@code [layer][kvHead][]};
 *                           written for one sample per cell type only (see the README), else null
 * @param needleSpan         the needle's token positions {@code [start, end)} in the prompt, where the
 *                           row has {@link #keptRanges} and the task a needle; else null
 * @param valueSpan          tokens of the model the expected needle value spans (the longest, where
 *                           several are expected), as realised in the prompt; {@code null} for tasks
 *                           without needle values and for rows written before spans were recorded
 * @param peakRssBytes       the sweep process's peak resident set (VmHWM), from the start of this row's
 *                           prompt (its prefill, which every row of the prompt shares) to the end of this
 *                           row's decode: mapped weights, JVM, activations and caches together, so beside
 *                           {@link #kvBytes} it shows what the accounted cache is of the whole; null where
 *                           not measured (not Linux, rows written before it was recorded)
 */
public record SweepRow(
        String model,
        String backend,
        String policy,
        String policyLabel,
        Map<String, String> options,
        Integer budget,
        String task,
        String taskType,
        int length,
        Double depth,
        long seed,
        int sample,
        double score,
        int[] tokensKeptPerLayer,
        long kvBytes,
        long fullKvBytes,
        double kvFraction,
        double prefillMs,
        double compressMs,
        double decodeMs,
        int generatedTokens,
        String output,
        List<String> expected,
        String id,
        String kvDtype,
        int[][] keptPerHead,
        int[][][] keptRanges,
        int[] needleSpan,
        Integer valueSpan,
        Long peakRssBytes) {

    /** A row without the measured resident set (as sweeps before it wrote them). */
    public SweepRow(String model, String backend, String policy, String policyLabel, Map<String, String> options,
                    Integer budget, String task, String taskType, int length, Double depth, long seed, int sample,
                    double score, int[] tokensKeptPerLayer, long kvBytes, long fullKvBytes, double kvFraction,
                    double prefillMs, double compressMs, double decodeMs, int generatedTokens, String output,
                    List<String> expected, String id, String kvDtype, int[][] keptPerHead, int[][][] keptRanges,
                    int[] needleSpan, Integer valueSpan) {
        this(model, backend, policy, policyLabel, options, budget, task, taskType, length, depth, seed, sample, score,
                tokensKeptPerLayer, kvBytes, fullKvBytes, kvFraction, prefillMs, compressMs, decodeMs, generatedTokens,
                output, expected, id, kvDtype, keptPerHead, keptRanges, needleSpan, valueSpan, null);
    }

    /** A row without the per-head fields (as older sweeps wrote them). */
    public SweepRow(String model, String backend, String policy, String policyLabel, Map<String, String> options,
                    Integer budget, String task, String taskType, int length, Double depth, long seed, int sample,
                    double score, int[] tokensKeptPerLayer, long kvBytes, long fullKvBytes, double kvFraction,
                    double prefillMs, double compressMs, double decodeMs, int generatedTokens, String output,
                    List<String> expected) {
        this(model, backend, policy, policyLabel, options, budget, task, taskType, length, depth, seed, sample, score,
                tokensKeptPerLayer, kvBytes, fullKvBytes, kvFraction, prefillMs, compressMs, decodeMs, generatedTokens,
                output, expected, null, null, null, null, null, null);
    }

    /** Whether this sample ran with the whole cache (the FullKV reference). */
    @JsonIgnore
    public boolean isFull() {
        return budget == null || budget <= 0 || "full".equalsIgnoreCase(policy);
    }

    /** The label a legend shows: {@link #policyLabel} if set, else the policy id. */
    @JsonIgnore
    public String label() {
        return policyLabel == null || policyLabel.isBlank() ? policy : policyLabel;
    }

    /** The budget as a number, 0 for the full cache. */
    @JsonIgnore
    public int budgetOrZero() {
        return isFull() ? 0 : budget;
    }
}
