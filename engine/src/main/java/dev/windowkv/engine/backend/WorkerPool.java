package dev.windowkv.engine.backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed team of threads for data-parallel loops. Decode issues hundreds of small loops per token,
 * so the hand-off must cost microseconds: workers spin briefly on a generation counter before
 * parking, and the caller runs the first share itself.
 */
final class WorkerPool implements AutoCloseable {
    private final Thread[] workers;
    private final int size;
    private volatile long generation;
    private volatile IntConsumer task;
    private volatile int taskN;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile boolean closed;
    private volatile Thread caller;
    private volatile Throwable failure;

    WorkerPool(int size) {
        this.size = size;
        this.workers = new Thread[size - 1];
        for (int i = 0; i < workers.length; i++) {
            final int id = i + 1;
            Thread t = new Thread(() -> workerLoop(id), "wkv-worker-" + id);
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    int size() {
        return size;
    }

    /** Runs body(i) for i in [0, n): thread k takes the k-th contiguous share. */
    void run(int n, IntConsumer body) {
        if (size == 1 || n <= 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        caller = Thread.currentThread();
        task = body;
        taskN = n;
        pending.set(workers.length);
        generation++;
        for (Thread w : workers) LockSupport.unpark(w);
        runShare(0, n, body);
        int spins = 0;
        while (pending.get() > 0) {
            if (++spins < 20_000) Thread.onSpinWait();
            else LockSupport.parkNanos(this, 50_000);
        }
        task = null;
        Throwable f = failure;
        if (f != null) {
            failure = null;
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error e) throw e;
            throw new IllegalStateException(f);
        }
    }

    private void runShare(int id, int n, IntConsumer body) {
        int from = (int) ((long) n * id / size);
        int to = (int) ((long) n * (id + 1) / size);
        for (int i = from; i < to; i++) body.accept(i);
    }

    private void workerLoop(int id) {
        long seen = 0;
        while (!closed) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < 20_000) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 1_000_000);
            }
            if (closed) return;
            seen = generation;
            try {
                runShare(id, taskN, task);
            } catch (Throwable t) {
                failure = t;
            } finally {
                if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
