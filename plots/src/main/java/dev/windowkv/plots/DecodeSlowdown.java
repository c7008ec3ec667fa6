package dev.windowkv.plots;

import java.util.List;

/**
 * How much a device backend's decode slows between a short and a long prompt, beside what the
 * decode's attention over the longer cache costs on the device (TornadoVM's per-task kernel times),
 * in a {@link DeviceCost}. Nothing but attention should grow with the prompt: the other kernels'
 * work and the bytes per token do not depend on it. Each list holds one value per sample (a run of
 * {@code tokensPerSample} decoded tokens). Two kinds of samples, interleaved: with the profiler off,
 * as a user's decode runs, for the wall times the verdict is about; and with it on, for the kernel
 * times (TornadoVM then waits for every kernel's event, which costs wall time of its own).
 *
 * @param shortPrompt             prompt tokens of the short generation
 * @param longPrompt              prompt tokens of the long generation
 * @param tokensPerSample         tokens decoded per sample
 * @param msPerTokenShort         wall time per decoded token after the short prompt, profiler off, ms, per sample
 * @param msPerTokenLong          the same after the long prompt
 * @param profiledMsPerTokenShort wall time per decoded token after the short prompt in the profiled samples
 * @param profiledMsPerTokenLong  the same after the long prompt
 * @param attentionMsShort        device time of the attention tasks per token (every layer's), ms, per profiled
 *                                sample; NaN where the backend has no kernel profiler
 * @param attentionMsLong         the same after the long prompt
 * @param kernelMsShort           device time of all the token's kernels per token, ms, per profiled sample; NaN
 *                                without a kernel profiler
 * @param kernelMsLong            the same after the long prompt
 * @param slowdownMs              wall ms per token with the profiler off, long minus short: the mean over the samples
 *                                of each long sample minus the short one taken just before it (a pair shares that
 *                                moment's load)
 * @param profiledSlowdownMs      the same over the profiled samples (its excess over {@code slowdownMs} is what the
 *                                profiler's waits add with the longer kernels)
 * @param attentionGrowthMs       attention ms per token, long minus short, paired the same way (profiled samples)
 * @param otherKernelGrowthMs     ms per token of the other kernels, long minus short, paired (should be about 0)
 * @param toleranceMs             how far the slowdown may exceed attention's growth and still count as within it:
 *                                twice the standard error of the paired wall-time differences (profiler off), the
 *                                margin the samples resolve (about 95%)
 * @param within                  {@code slowdownMs <= attentionGrowthMs + toleranceMs}; false without attention times
 */
public record DecodeSlowdown(
        int shortPrompt,
        int longPrompt,
        int tokensPerSample,
        List<Double> msPerTokenShort,
        List<Double> msPerTokenLong,
        List<Double> profiledMsPerTokenShort,
        List<Double> profiledMsPerTokenLong,
        List<Double> attentionMsShort,
        List<Double> attentionMsLong,
        List<Double> kernelMsShort,
        List<Double> kernelMsLong,
        double slowdownMs,
        double profiledSlowdownMs,
        double attentionGrowthMs,
        double otherKernelGrowthMs,
        double toleranceMs,
        boolean within) {
}
