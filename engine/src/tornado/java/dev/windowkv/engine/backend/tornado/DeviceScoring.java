package dev.windowkv.engine.backend.tornado;


/**
 * The observation-window scores ({@code Backend.attentionMass}) on the device for one shape: the
 * prefill's queries and keys go over, {@code ObservationScores.rowStats} and {@code accumulate} run
 * there, and only the scores {@code a[nHeads][keyCount]} come back. The plan is kept for the next
 * layer or prompt of the same shape, so its kernels compile once.
 */
final class DeviceScoring implements AutoCloseable {
    /** What the compiled graph is bound to: every size and scalar a task was built with. */
    record Shape(int n, int nHeads, int nKvHeads, int headDim, int firstQuery, int causalFrom, int keyCount) {}

    private final Shape shape;
    private final float[] q;
    private final float[] k;
    private final float[] a;
    private final CountedPlan plan;

    DeviceScoring(Shape s, DeviceTraffic traffic) {
        shape = s;
        q = new float[s.n() * s.nHeads() * s.headDim()];
        k = new float[s.n() * s.nKvHeads() * s.headDim()];
        a = new float[s.nHeads() * s.keyCount()];
        int rows = s.nHeads() * (s.n() - s.firstQuery());
        float[] rowMax = new float[rows];
        float[] rowSum = new float[rows];
        CountedGraph g = DevicePlans.scores(new CountedGraph("scores", false).every(q, k).first(rowMax, rowSum),
                q, k, s.n(), s.nHeads(), s.nKvHeads(), s.headDim(), s.firstQuery(), s.causalFrom(), rowMax, rowSum,
                s.keyCount(), a)
                .back(a);
        plan = new CountedPlan(traffic, g);
    }

    Shape shape() {
        return shape;
    }

    /** The scores of these queries and keys (the first n tokens' worth of each array is read). */
    float[] run(float[] queries, float[] keys) {
        System.arraycopy(queries, 0, q, 0, q.length);
        System.arraycopy(keys, 0, k, 0, k.length);
        plan.execute(0);
        return a.clone();
    }

    @Override
    public void close() {
        plan.close();
    }
}
