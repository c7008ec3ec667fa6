package dev.windowkv.plots;

import java.util.List;

/**
 * A backend comparison run, one JSON object per file. Every backend ran the same model on the same
 * prompt in the same run, so their numbers compare.
 *
 * @param machine      host description (CPU model, cores)
 * @param date         when it ran, ISO-8601
 * @param model        model name
 * @param promptTokens prompt length in tokens
 * @param results      one entry per backend and device
 */
public record BenchReport(
        String machine,
        String date,
        String model,
        int promptTokens,
        List<BackendResult> results) {
}
