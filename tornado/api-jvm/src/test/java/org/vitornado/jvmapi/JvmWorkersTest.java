package org.vitornado.jvmapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class JvmWorkersTest {

    private final JvmWorkers workers = new JvmWorkers(3);

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int count : new int[] {1, 2, 7, 23, 24, 25, 1000, 12_345}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(count);
            workers.run(count, (from, to) -> {
                for (long i = from; i < to; i++) {
                    runs.incrementAndGet((int) i);
                }
            });
            for (int i = 0; i < count; i++) {
                assertEquals(1, runs.get(i), "index " + i + " of " + count);
            }
        }
    }

    @Test
    void manyShortJobsInARow() {
        AtomicLong sum = new AtomicLong();
        for (int job = 0; job < 5_000; job++) {
            workers.run(16, (from, to) -> sum.addAndGet(to - from));
        }
        assertEquals(5_000 * 16, sum.get());
    }

    @Test
    void aFailureIsRethrownAfterRunningChunksEnd() {
        IllegalStateException boom = new IllegalStateException("boom");
        AtomicLong ran = new AtomicLong();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> workers.run(10_000, (from, to) -> {
            ran.addAndGet(to - from);
            if (from == 0) {
                throw boom;
            }
        }));
        assertSame(boom, e);
        // The pool still works afterwards.
        AtomicLong after = new AtomicLong();
        workers.run(100, (from, to) -> after.addAndGet(to - from));
        assertEquals(100, after.get());
        assertTrue(ran.get() <= 10_000);
    }

    @Test
    void jobsFromSeveralThreadsTakeTurns() throws InterruptedException {
        AtomicLong sum = new AtomicLong();
        Thread[] callers = new Thread[4];
        for (int c = 0; c < callers.length; c++) {
            callers[c] = new Thread(() -> {
                for (int job = 0; job < 500; job++) {
                    workers.run(50, (from, to) -> sum.addAndGet(to - from));
                }
            });
            callers[c].start();
        }
        for (Thread t : callers) {
            t.join();
        }
        assertEquals(4 * 500 * 50, sum.get());
    }

    @Test
    void aJobStartedInsideAJobRunsOnItsCaller() {
        AtomicLong inner = new AtomicLong();
        workers.run(8, (from, to) -> {
            for (long i = from; i < to; i++) {
                workers.run(10, (f, t) -> inner.addAndGet(t - f));
            }
        });
        assertEquals(80, inner.get());
    }
}
