package dev.windowkv.engine.backend.tornado;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.TornadoProfilerResult;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A {@link TornadoExecutionPlan} whose executions feed the backend's {@link DeviceTraffic}: per
 * graph, the bytes each way (TornadoVM's profiler's while it is on, or the declared sizes), the
 * kernels launched, one compilation when the plan first runs, and the device memory of its arrays
 * while it is open. The profiler is the plan's and switches per execution ({@link #profile}).
 */
final class CountedPlan implements AutoCloseable {
    private final TornadoExecutionPlan plan;
    private final CountedGraph[] graphs;
    private final boolean[] ran;
    private final DeviceTraffic traffic;
    private final long deviceBytes;
    private boolean compiled;
    private TornadoExecutionResult last; // its profiler result reads the log of the graph selected in the plan
    private final int[] logRead;         // per graph, the length of its profiler log already read
    private boolean profiling;           // the plan's executions run with TornadoVM's profiler
    private boolean profiledOnce;        // some execution did: its log may hold kernel times

    CountedPlan(DeviceTraffic traffic, CountedGraph... graphs) {
        this(traffic, null, graphs);
    }

    /** With {@code grid} (may be null): the work-group sizes of tasks that need them (kernels with a KernelContext). */
    CountedPlan(DeviceTraffic traffic, GridScheduler grid, CountedGraph... graphs) {
        this.traffic = traffic;
        this.graphs = graphs;
        this.ran = new boolean[graphs.length];
        this.logRead = new int[graphs.length];
        ImmutableTaskGraph[] snapshots = new ImmutableTaskGraph[graphs.length];
        Set<Object> arrays = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < graphs.length; i++) {
            snapshots[i] = graphs[i].graph.snapshot();
            arrays.addAll(graphs[i].graph.getArgumentsLookup());
        }
        long bytes = 0;
        for (Object a : arrays) bytes += CountedGraph.bytes(a);
        deviceBytes = bytes;
        plan = new TornadoExecutionPlan(snapshots);
        profile(traffic.profiling());
        if (grid != null && !grid.keySet().isEmpty()) plan.withGridScheduler(grid); // withGraph(i) re-applies it
        traffic.held(deviceBytes);
        traffic.opened(this);
    }

    /**
     * TornadoVM's profiler on or off for this plan's next executions. TornadoVM keeps the mode in the
     * plan's executor frame, and each execution sets its global switch from it (5.2.0:
     * {@code TornadoTaskGraph.checkProfilerOn}); off, it no longer waits for every kernel's event.
     */
    void profile(boolean on) {
        if (on == profiling) return; // each switch adds a node to the plan's chain (pitfall 11)
        if (on) {
            plan.withProfiler(ProfilerMode.SILENT);
        } else {
            plan.withoutProfiler();
        }
        profiling = on;
    }

    /** Runs graph {@code i} (the plan's kernels compile on its first execution) and counts what it moved. */
    void execute(int i) {
        if (!compiled) {
            traffic.compiled();
            compiled = true;
        }
        CountedGraph g = graphs[i];
        TornadoExecutionResult r = graphs.length == 1 ? plan.execute() : plan.withGraph(i).execute();
        last = r;
        long in = g.everyIn + (ran[i] ? 0 : g.firstIn);
        long out = g.everyOut;
        if (profiling) {
            profiledOnce = true;
            TornadoProfilerResult p = r.getProfilerResult();
            in = p.getTotalBytesCopyIn();
            out = p.getTotalBytesCopyOut();
        }
        if (g.perToken) {
            // A first execution carries the graph's resident arrays (weights): setup, not per token.
            long resident = ran[i] ? 0 : in - g.everyIn;
            traffic.setup(Math.max(resident, 0), 0);
            traffic.decode(in - Math.max(resident, 0), out, g.tasks);
        } else {
            traffic.setup(in, out);
        }
        ran[i] = true;
    }

    /**
     * Brings back {@code arrays}, which graph {@code i} declared {@link CountedGraph#onDemand} and
     * just computed (it must be the graph executed last). Counted at the declared sizes, also with
     * the profiler, whose counts for the execution were read already.
     */
    void fetch(int i, Object... arrays) {
        last.transferToHost(arrays);
        long out = CountedGraph.bytes(arrays);
        if (graphs[i].perToken) {
            traffic.decode(0, out, 0);
        } else {
            traffic.setup(0, out);
        }
    }

    /**
     * With the profiler: adds the kernel times the per-token graphs logged since the last call
     * (all tasks, and the attention's two tasks) to the traffic. Read lazily, not per
     * execution: TornadoVM appends each execution's JSON to one log per graph and hands it out
     * whole. Selecting a graph ({@code withGraph}) without executing it changes only which graph's
     * log the profiler result reads; the next {@link #execute} selects its own.
     */
    void collectKernelTimes() {
        if (!profiledOnce) return;
        for (int i = 0; i < graphs.length; i++) {
            if (!graphs[i].perToken || !ran[i]) continue;
            if (graphs.length > 1) plan.withGraph(i);
            String log = last.getProfilerResult().getProfileLog();
            if (log.length() <= logRead[i]) continue;
            ProfileLog.Times t = ProfileLog.kernelTimes(log.substring(logRead[i]), ATTENTION, ATTENTION_COMBINE);
            logRead[i] = log.length();
            traffic.kernelTime(t.kernelNanos(), t.matchedNanos());
        }
    }

    /**
     * The decode's attention tasks, in every layer graph ({@code TornadoDecoder}): split-K's partial
     * pass and its combine. Their kernel times together are the attention's.
     */
    static final String ATTENTION = "attention";
    static final String ATTENTION_COMBINE = "attentionCombine";

    long deviceBytes() {
        return deviceBytes;
    }

    @Override
    public void close() {
        collectKernelTimes();
        traffic.closed(this);
        DevicePlans.close(plan);
        traffic.held(-deviceBytes);
    }
}
