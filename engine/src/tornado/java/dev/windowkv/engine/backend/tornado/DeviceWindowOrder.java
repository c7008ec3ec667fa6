package dev.windowkv.engine.backend.tornado;


/**
 * WindowKV's window selection on the device for one shape ({@code Backend.windowOrder}): the
 * suffix's attention scores over the review tokens ({@code ObservationScores}), their pooling per
 * window ({@code WindowPooling}) and the window order ({@code WindowRanking}) run there; only the
 * order, one int per window, comes back. The plan is kept for the next prompt of the same shape.
 */
final class DeviceWindowOrder implements AutoCloseable {
    /** Every size and scalar the graph's tasks were built with; {@code topM = 0} pools by the mean. */
    record Shape(int n, int nHeads, int nKvHeads, int headDim, int review, int windowSize, int topM) {}

    private final Shape shape;
    private final float[] q;
    private final float[] k;
    private final int[] order;
    private final CountedPlan plan;

    DeviceWindowOrder(Shape s, DeviceTraffic traffic) {
        shape = s;
        q = new float[s.n() * s.nHeads() * s.headDim()];
        k = new float[s.n() * s.nKvHeads() * s.headDim()];
        int review = s.review();
        int nWindows = Math.ceilDiv(review, s.windowSize());
        order = new int[nWindows];
        int rows = s.nHeads() * (s.n() - review);
        float[] rowMax = new float[rows];
        float[] rowSum = new float[rows];
        float[] a = new float[s.nHeads() * review];
        float[] score = new float[nWindows];
        CountedGraph g = DevicePlans.scores(new CountedGraph("windowOrder", false).every(q, k)
                        .first(rowMax, rowSum, a, score), // written first: allocated
                q, k, s.n(), s.nHeads(), s.nKvHeads(), s.headDim(), review, 0, rowMax, rowSum, review, a);
        if (s.topM() > 0) {
            g.task(t -> t.task("pool", ScoringKernels::windowMax, a, s.nHeads(), review, review, s.windowSize(), s.topM(),
                    score, nWindows));
        } else {
            g.task(t -> t.task("pool", ScoringKernels::windowAverage, a, s.nHeads(), review, review, s.windowSize(), score,
                    nWindows));
        }
        g.task(t -> t.task("rank", ScoringKernels::windowOrder, score, nWindows, order)).back(order);
        plan = new CountedPlan(traffic, g);
    }

    Shape shape() {
        return shape;
    }

    /** The window order for these queries and keys (the first n tokens' worth of each array is read). */
    int[] run(float[] queries, float[] keys) {
        System.arraycopy(queries, 0, q, 0, q.length);
        System.arraycopy(keys, 0, k, 0, k.length);
        plan.execute(0);
        return order.clone();
    }

    @Override
    public void close() {
        plan.close();
    }
}
