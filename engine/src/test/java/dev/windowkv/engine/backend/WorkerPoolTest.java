package dev.windowkv.engine.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    @Test
    void everyItemRunsExactlyOnceInEveryRun() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int run = 0; run < 2_000; run++) {
                int n = run % 37;
                AtomicIntegerArray count = new AtomicIntegerArray(Math.max(n, 1));
                pool.run(n, count::incrementAndGet);
                for (int i = 0; i < n; i++) assertEquals(1, count.get(i), "run " + run + " item " + i);
            }
        }
    }

    @Test
    void aFailingItemFailsTheRunAndThePoolGoesOn() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(50, i -> {
                if (i == 17) throw new IllegalStateException("item 17");
            }));
            assertEquals("item 17", e.getMessage());
            AtomicIntegerArray count = new AtomicIntegerArray(50);
            pool.run(50, count::incrementAndGet);
            for (int i = 0; i < 50; i++) assertEquals(1, count.get(i));
        }
    }

    /** A slow item does not hold the others: the rest of the team takes them while it runs. */
    @Test
    void otherItemsDoNotWaitForASlowOne() {
        try (WorkerPool pool = new WorkerPool(2)) {
            Thread[] ranBy = new Thread[200];
            pool.run(200, i -> {
                if (i == 0) sleep(300);
                ranBy[i] = Thread.currentThread();
            });
            long sameAsSlow = java.util.Arrays.stream(ranBy).filter(t -> t == ranBy[0]).count();
            assertEquals(1, sameAsSlow, "the thread that ran the slow item ran nothing else");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
