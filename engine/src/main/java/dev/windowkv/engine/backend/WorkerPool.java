package dev.windowkv.engine.backend;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed team of threads for data-parallel loops. Decode issues hundreds of small loops per token,
 * so the hand-off must cost microseconds: workers spin briefly before parking.
 *
 * <p>Items are claimed one at a time from a shared counter, and the caller claims too. A worker the
 * OS has not scheduled (a shared machine, another process on the other core) then delays nothing:
 * the caller takes its items, and waits only for items a worker has started. With fixed shares a
 * single descheduled worker held every loop for a time slice, and decode of a small model swung
 * between 20 and 2,000 tokens/s from run to run.
 */
final class WorkerPool implements AutoCloseable {
    /** One {@link #run}: its items, the next unclaimed one and how many have finished. */
    private static final class Job {
        final IntConsumer body;
        final int n;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(IntConsumer body, int n) {
            this.body = body;
            this.n = n;
        }

        /** Claims and runs items until none are left. A late worker finds none, so a stale job is harmless. */
        void work() {
            int finished = 0;
            for (int i; (i = next.getAndIncrement()) < n; finished++) {
                try {
                    body.accept(i);
                } catch (Throwable t) {
                    failure = t;
                }
            }
            if (finished > 0) done.addAndGet(finished);
        }
    }

    private final Thread[] workers;
    private final int size;
    private volatile Job job;
    private volatile boolean closed;

    WorkerPool(int size) {
        this.size = size;
        this.workers = new Thread[size - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::workerLoop, "wkv-worker-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    int size() {
        return size;
    }

    /** Runs body(i) for every i in [0, n), spread over the team (the calling thread included). */
    void run(int n, IntConsumer body) {
        if (size == 1 || n <= 1) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        Job j = new Job(body, n);
        job = j;
        for (Thread w : workers) LockSupport.unpark(w);
        j.work();
        int spins = 0;
        while (j.done.get() < n) {
            if (++spins < 20_000) Thread.onSpinWait();
            else LockSupport.parkNanos(this, 20_000);
        }
        Throwable f = j.failure;
        if (f != null) {
            if (f instanceof RuntimeException re) throw re;
            if (f instanceof Error e) throw e;
            throw new IllegalStateException(f);
        }
    }

    private void workerLoop() {
        Job seen = null;
        while (!closed) {
            int spins = 0;
            Job j;
            while ((j = job) == seen && !closed) {
                if (++spins < 20_000) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 1_000_000);
            }
            if (closed) return;
            seen = j;
            j.work();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) LockSupport.unpark(w);
    }
}
