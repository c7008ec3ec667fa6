package dev.windowkv.engine.backend.tornado;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;

import java.util.function.Consumer;

/**
 * A task graph declared together with what one execution of it moves and launches: the bytes of
 * the arrays it sends every execution, on the first one only, and brings back, and its task count.
 * {@code perToken} marks the graphs a decoded token runs; the others' bytes count as setup.
 */
final class CountedGraph {
    final TaskGraph graph;
    final boolean perToken;
    long everyIn;
    long firstIn;
    long everyOut;
    int tasks;

    CountedGraph(String name, boolean perToken) {
        this.graph = new TaskGraph(name);
        this.perToken = perToken;
    }

    String name() {
        return graph.getTaskGraphName();
    }

    /** Sent with every execution. */
    CountedGraph every(Object... arrays) {
        graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, arrays);
        everyIn += bytes(arrays);
        return this;
    }

    /** Sent on the first execution only (weights), or only allocated when a task writes it first (scratch). */
    CountedGraph first(Object... arrays) {
        graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, arrays);
        firstIn += bytes(arrays);
        return this;
    }

    /** Brought back after every execution. */
    CountedGraph back(Object... arrays) {
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, arrays);
        everyOut += bytes(arrays);
        return this;
    }

    /**
     * Left on the device after an execution; {@link CountedPlan#fetch} brings them back when asked
     * (counted then, as device→host bytes of this graph).
     */
    CountedGraph onDemand(Object... arrays) {
        graph.transferToHost(DataTransferMode.UNDER_DEMAND, arrays);
        return this;
    }

    /** Found on the device in the buffers of graph {@code source}, when it ran just before this one. */
    CountedGraph consume(String source, Object... arrays) {
        graph.consumeFromDevice(source, arrays);
        return this;
    }

    /** {@link #consume(String, Object...)} from each of {@code sources}. */
    CountedGraph consume(java.util.List<String> sources, Object... arrays) {
        for (String source : sources) graph.consumeFromDevice(source, arrays);
        return this;
    }

    /** Left on the device for the graph that runs next. */
    CountedGraph persist(Object... arrays) {
        graph.persistOnDevice(arrays);
        return this;
    }

    /** Adds one task (one kernel launch per execution). */
    CountedGraph task(Consumer<TaskGraph> addOne) {
        addOne.accept(graph);
        tasks++;
        return this;
    }

    static long bytes(Object... arrays) {
        long n = 0;
        for (Object a : arrays) n += bytes(a);
        return n;
    }

    static long bytes(Object a) {
        return switch (a) {
            case float[] f -> 4L * f.length;
            case int[] i -> 4L * i.length;
            case byte[] b -> b.length;
            case short[] s -> 2L * s.length;
            default -> throw new IllegalArgumentException("no device size for " + a.getClass());
        };
    }
}
