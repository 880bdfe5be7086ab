package org.vitornado.jvmapi;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The threads a KernelContext grid runs on: the calling thread and {@code threads - 1} daemon workers that outlive
 * every task. A job is the range {@code [0, count)} of work-groups; everyone claims chunks of it from one counter, so
 * a thread that falls behind (a busy core) leaves its share to the others.
 *
 * <p>Why not a ForkJoinPool: a model runs about 90 tasks per image (ViT-S at batch 1: tasks of about 0.6 ms), and
 * submitting futures to parked pool threads and waiting on them cost about 31 us a task (100 tasks of 8 work-items;
 * here 5.5 us). The workers spin for {@value #SPIN_NANOS} ns after a job, since the next one usually follows within
 * microseconds, and only then park.
 *
 * <p>One job runs at a time (plans executed from several threads take turns); a job started from inside a job (a
 * kernel calling back into a dispatch, on a worker or on the caller) runs on the calling thread alone.
 */
public final class JvmWorkers {

    /** Runs work-groups {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(long from, long to);
    }

    private static final long SPIN_NANOS = 200_000;

    private final Thread[] workers;
    private final ReentrantLock oneJobAtATime = new ReentrantLock();
    /** The latest job; workers compare it with the one they ran last. */
    private volatile Job current;

    JvmWorkers(int threads) {
        workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            Thread t = new Thread(this::work, "vitornado-jvm-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** Threads that run a job: the caller and the workers. */
    public int threads() {
        return workers.length + 1;
    }

    /**
     * Runs {@code body} over {@code [0, count)} in chunks on every thread and returns when all of it has run. The first
     * failure stops the claiming of further chunks and is rethrown here (as is, if unchecked) once running chunks end.
     */
    public void run(long count, Range body) {
        if (count <= 0) {
            return;
        }
        if (workers.length == 0 || isWorker(Thread.currentThread()) || oneJobAtATime.isHeldByCurrentThread()) {
            body.run(0, count);
            return;
        }
        oneJobAtATime.lock();
        try {
            // Chunks of 1/32 of a thread's share: a task ends at most one chunk after its first idle thread, and
            // claiming one costs ~50 ns against the microseconds of the JVM kernels' work-items.
            long chunk = Math.max(1, count / (32L * threads()));
            Job job = new Job(count, chunk, body, Thread.currentThread());
            current = job;
            for (Thread w : workers) {
                LockSupport.unpark(w);
            }
            job.work();
            job.awaitDone();
            job.body = null;
            Throwable failure = job.failure.get();
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                throw new RuntimeException(failure);
            }
        } finally {
            oneJobAtATime.unlock();
        }
    }

    private boolean isWorker(Thread t) {
        for (Thread w : workers) {
            if (w == t) {
                return true;
            }
        }
        return false;
    }

    /** A worker's life: wait for a job it has not run, help with it, repeat. */
    private void work() {
        Job last = null;
        while (true) {
            Job job = current;
            if (job == last) {
                job = awaitNext(last);
            }
            job.work();
            last = job;
        }
    }

    private Job awaitNext(Job last) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (true) {
            Job job = current;
            if (job != last) {
                return job;
            }
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
    }

    private static final class Job {
        final long count;
        final long chunk;
        /** Dropped once the job is done, so that no worker keeps the task's arrays reachable. */
        Range body;
        final Thread caller;
        final AtomicLong next = new AtomicLong();
        final AtomicLong done = new AtomicLong();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Job(long count, long chunk, Range body, Thread caller) {
            this.count = count;
            this.chunk = chunk;
            this.body = body;
            this.caller = caller;
        }

        /** Claims and runs chunks until none are left; after a failure, claimed chunks are counted but not run. */
        void work() {
            while (true) {
                long from = next.getAndAdd(chunk);
                if (from >= count) {
                    return;
                }
                long to = Math.min(count, from + chunk);
                if (failure.get() == null) {
                    try {
                        body.run(from, to);
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }
                if (done.addAndGet(to - from) == count) {
                    LockSupport.unpark(caller);
                }
            }
        }

        /** Waits until every chunk has run; an interrupt stops further chunks but still waits for running ones. */
        void awaitDone() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            boolean interrupted = false;
            while (done.get() < count) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
                if (Thread.interrupted()) {
                    interrupted = true;
                    failure.compareAndSet(null, new InterruptedException("interrupted while the kernel ran"));
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
