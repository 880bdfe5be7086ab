package uk.ac.manchester.tornado.api;

import java.util.concurrent.atomic.AtomicReference;

import org.vitornado.jvmapi.JvmTornado;

import uk.ac.manchester.tornado.api.exceptions.TornadoRuntimeException;
import uk.ac.manchester.tornado.api.exceptions.TornadoTaskRuntimeException;

/**
 * Runs a KernelContext task over its grid on the JVM. Work-groups are independent, so they run in parallel on all
 * cores ({@link org.vitornado.jvmapi.JvmWorkers}), in chunks (a kernel may have millions of work-items). Within a
 * group, work-items run one after the other (fast) unless the kernel synchronises with {@code localBarrier()}; then
 * each work-item gets a virtual thread and the group advances together. Which of the two a kernel needs is found out
 * on its first group, run cooperatively, and remembered per task.
 */
final class JvmKernelDispatch {

    private JvmKernelDispatch() {
    }

    static void run(JvmTask task, WorkerGrid grid) {
        int[] global = sizes(task, grid.getGlobalWork(), "global");
        long[] localWork = grid.getLocalWork();
        int[] local = localWork == null ? new int[] {1, 1, 1} : sizes(task, localWork, "local");
        int[] groups = new int[3];
        for (int d = 0; d < 3; d++) {
            if (local[d] < 1 || global[d] % local[d] != 0) {
                throw new TornadoRuntimeException("task " + task.qualifiedName() + ": global size " + global[d]
                        + " is not a multiple of local size " + local[d] + " in dimension " + d);
            }
            groups[d] = global[d] / local[d];
        }
        long groupCount = (long) groups[0] * groups[1] * groups[2];
        if (groupCount == 0) {
            return;
        }
        long first = 0;
        if (task.barrierUse().get() == JvmTask.UNKNOWN) {
            boolean barriers = runGroup(task, 0, global, local, groups, true);
            task.barrierUse().set(barriers ? JvmTask.COOPERATIVE : JvmTask.SEQUENTIAL);
            first = 1;
        }
        runGroups(task, first, groupCount, global, local, groups, task.barrierUse().get() == JvmTask.COOPERATIVE);
    }

    private static int[] sizes(JvmTask task, long[] work, String what) {
        int[] out = {1, 1, 1};
        for (int d = 0; d < Math.min(3, work.length); d++) {
            if (work[d] < 0 || work[d] > Integer.MAX_VALUE) {
                throw new TornadoRuntimeException("task " + task.qualifiedName() + ": " + what + " size " + work[d] + " out of range");
            }
            out[d] = (int) work[d];
        }
        return out;
    }

    private static void runGroups(JvmTask task, long from, long to, int[] global, int[] local, int[] groups, boolean cooperative) {
        try {
            JvmTornado.workers().run(to - from, (first, last) -> {
                for (long g = from + first; g < from + last; g++) {
                    runGroup(task, g, global, local, groups, cooperative);
                }
            });
        } catch (RuntimeException | Error e) {
            throw failed(task, e);
        }
    }

    /** Runs work-group {@code g}; returns whether any work-item called localBarrier(). */
    private static boolean runGroup(JvmTask task, long g, int[] global, int[] local, int[] groups, boolean cooperative) {
        int[] groupId = {(int) (g % groups[0]), (int) (g / groups[0] % groups[1]), (int) (g / ((long) groups[0] * groups[1]))};
        int items = local[0] * local[1] * local[2];
        JvmWorkGroup group = new JvmWorkGroup(cooperative, items);
        int ctxIndex = task.contextIndex();
        if (!cooperative) {
            Object[] args = task.args().clone();
            for (int i = 0; i < items; i++) {
                args[ctxIndex] = context(i, groupId, global, local, group);
                task.invoke(args);
            }
            return group.barrierSeen();
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread[] threads = new Thread[items];
        for (int i = 0; i < items; i++) {
            Object[] args = task.args().clone();
            args[ctxIndex] = context(i, groupId, global, local, group);
            threads[i] = Thread.ofVirtual().unstarted(() -> {
                try {
                    task.invoke(args);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                    group.abort();
                } finally {
                    group.leave();
                }
            });
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed(task, e);
            }
        }
        if (failure.get() != null) {
            throw failed(task, failure.get());
        }
        return group.barrierSeen();
    }

    private static KernelContext context(int item, int[] groupId, int[] global, int[] local, JvmWorkGroup group) {
        int[] localId = {item % local[0], item / local[0] % local[1], item / (local[0] * local[1])};
        int[] globalId = new int[3];
        for (int d = 0; d < 3; d++) {
            globalId[d] = groupId[d] * local[d] + localId[d];
        }
        return new KernelContext(globalId, groupId, localId, global, local, group);
    }

    static TornadoTaskRuntimeException failed(JvmTask task, Throwable t) {
        if (t instanceof TornadoTaskRuntimeException e) {
            return e;
        }
        Throwable cause = t instanceof java.util.concurrent.ExecutionException && t.getCause() != null ? t.getCause() : t;
        Exception asException = cause instanceof Exception e ? e : new RuntimeException(cause);
        return new TornadoTaskRuntimeException("task " + task.qualifiedName() + " failed: " + cause, asException);
    }
}
