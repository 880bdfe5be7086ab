package org.vitornado.runtime.plan;

import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.vitornado.runtime.TaskCost;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;

/**
 * One kernel task of a plan, before it is placed in a task graph: what it runs ({@link KernelCall}), on which grid,
 * what it costs, and which arrays it reads and writes. Reads and writes decide what crosses between graphs and what
 * is a weight (read, never written, not an input); they are checked against the call's arguments.
 *
 * @param kernel {@code Family.method}, for {@code plan}
 * @param grid   the KernelContext grid, or {@code null} for a {@code @Parallel} kernel
 * @param extent the {@code @Parallel} loop's extent (with {@code grid == null})
 * @param reads  arrays whose contents the task uses (an in-place array is in both lists)
 * @param writes arrays the task writes
 */
public record Step(String name, String kernel, WorkerGrid grid, long extent, TaskCost cost, List<Object> reads, List<Object> writes,
        KernelCall call) {

    public Step {
        reads = List.copyOf(reads);
        writes = List.copyOf(writes);
        Set<Object> arrays = identitySet();
        for (Object a : call.args()) {
            if (!isScalar(a) && !(a instanceof KernelContext)) {
                arrays.add(a);
            }
        }
        Set<Object> declared = identitySet();
        declared.addAll(reads);
        declared.addAll(writes);
        if (!arrays.equals(declared)) {
            throw new IllegalStateException("task " + name + " (" + kernel + "): its reads and writes must be exactly its array arguments");
        }
    }

    /** A KernelContext task on {@code grid}. */
    public static Step kernel(String name, String kernel, WorkerGrid grid, TaskCost cost, List<Object> reads, List<Object> writes, KernelCall call) {
        return new Step(name, kernel, grid, 0, cost, reads, writes, call);
    }

    /** A {@code @Parallel}-loop task over {@code extent} iterations. */
    public static Step parallel(String name, String kernel, long extent, TaskCost cost, List<Object> reads, List<Object> writes, KernelCall call) {
        return new Step(name, kernel, null, extent, cost, reads, writes, call);
    }

    /** Global sizes per dimension, as {@code plan} shows them. */
    public long[] global() {
        return grid == null ? new long[] {extent} : Arrays.copyOf(grid.getGlobalWork(), grid.dimension());
    }

    /** Local sizes, or {@code null} where the runtime chooses. */
    public long[] local() {
        if (grid == null || grid.getLocalWork() == null) {
            return null;
        }
        return Arrays.copyOf(grid.getLocalWork(), grid.dimension());
    }

    static boolean isScalar(Object o) {
        return o instanceof Number || o instanceof Boolean || o instanceof Character;
    }

    static Set<Object> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }
}
