package dev.windowkv.engine.backend.tornado;

import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/** What the device plans share: the observation-window scoring tasks, and freeing a plan. */
final class DevicePlans {
    private DevicePlans() {}

    /**
     * Adds {@code ObservationScores.rowStats} and {@code accumulate} to {@code g}: the attention mass
     * {@code a[nHeads][keyCount]} of the queries from {@code firstQuery} on (see Backend.attentionMass).
     */
    static CountedGraph scores(CountedGraph g, float[] q, float[] k, int n, int nHeads, int nKvHeads, int headDim,
                            int firstQuery, int causalFrom, float[] rowMax, float[] rowSum, int keyCount, float[] a) {
        float scale = (float) (1.0 / Math.sqrt(headDim));
        return g.task(t -> t.task("rowStats", ScoringKernels::rowStats, q, k, n, nHeads, nKvHeads, headDim, firstQuery,
                        causalFrom, scale, rowMax, rowSum))
                .task(t -> t.task("accumulate", ScoringKernels::accumulate, q, k, n, nHeads, nKvHeads, headDim, firstQuery,
                        causalFrom, scale, rowMax, rowSum, keyCount, a));
    }

    /** Frees the plan's device memory. */
    static void close(TornadoExecutionPlan plan) {
        try {
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("could not free device memory", e);
        }
    }
}
