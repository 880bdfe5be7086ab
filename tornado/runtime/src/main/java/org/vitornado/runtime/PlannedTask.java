package org.vitornado.runtime;

import java.util.Arrays;

/**
 * One task of a task graph as the planner laid it out: its name in the graph, the kernel method it runs,
 * the grid it is dispatched on and what it costs.
 *
 * @param name   task name, unique within its graph (the GridScheduler key is {@code graph + "." + name})
 * @param kernel {@code Family.method} of the kernel
 * @param global global work size per dimension (1, 2 or 3 entries); for a {@code @Parallel} kernel the loop extent
 * @param local  local work size per dimension, or {@code null} when the runtime chooses
 * @param cost   FLOPs and bytes moved
 */
public record PlannedTask(String graph, String name, String kernel, long[] global, long[] local, TaskCost cost) {

    /** The grid as {@code 768x197 / 16x16}. */
    public String gridDescription() {
        String g = join(global);
        return local == null ? g : g + " / " + join(local);
    }

    private static String join(long[] dims) {
        return String.join("x", Arrays.stream(dims).mapToObj(Long::toString).toList());
    }
}
