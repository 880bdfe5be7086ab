package org.vitornado.runtime.plan;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import uk.ac.manchester.tornado.api.KernelContext;

/**
 * What one task graph costs TornadoVM 5.2.0 against its two fixed per-graph limits, and the budget a plan keeps
 * below them. Both limits were measured on the real runtime (see {@code JvmGraphLimits} in the JVM implementation of
 * the API, which enforces them with the same counts):
 * <ul>
 * <li><b>recorded code</b>, 8,192 bytes: {@code 15 + 5 * arguments} bytes per task;</li>
 * <li><b>graph nodes</b>, 1,024: one per distinct constant and object, one device context, two per task (task and
 * allocation), two per object's first use in a task (copy or allocation, and release), one per array argument the
 * task may write (every array but the KernelContext is counted, an upper bound), one per output copied back.</li>
 * </ul>
 * A plan fills each graph to at most {@link #MARGIN} of both.
 */
public final class GraphBudget {

    public static final int MAX_NODES = 1024;
    public static final int MAX_CODE_BYTES = 8192;
    /** The share of each limit a plan's graph may use. */
    public static final double MARGIN = 0.75;

    private GraphBudget() {
    }

    /** The node and code budget of one graph of a plan. */
    public static boolean fits(int nodes, int codeBytes) {
        return nodes <= MAX_NODES * MARGIN && codeBytes <= MAX_CODE_BYTES * MARGIN;
    }

    /** TornadoVM's recorded code for {@code steps}. */
    public static int codeBytes(List<Step> steps) {
        int bytes = 0;
        for (Step s : steps) {
            bytes += 15 + 5 * s.call().arity();
        }
        return bytes;
    }

    /**
     * Graph nodes of {@code steps} with these transfers: {@code everyExecution} copied in on every run,
     * {@code other} copied in once, consumed or persisted, {@code toHost} copied back after every run.
     */
    public static int nodes(List<Step> steps, Collection<?> everyExecution, Collection<?> other, Collection<?> toHost) {
        Set<Object> objects = Step.identitySet();
        objects.addAll(everyExecution);
        objects.addAll(other);
        objects.addAll(toHost);
        List<Object> constants = new ArrayList<>();
        Set<Object> used = Step.identitySet();
        int nodes = 1;
        for (Step s : steps) {
            nodes += 2;
            for (Object arg : s.call().args()) {
                if (Step.isScalar(arg)) {
                    if (!constants.contains(arg)) {
                        constants.add(arg);
                    }
                    continue;
                }
                objects.add(arg);
                if (used.add(arg)) {
                    nodes += 2;
                }
                if (!(arg instanceof KernelContext)) {
                    nodes += 1;
                }
            }
        }
        for (Object o : toHost) {
            nodes += used.contains(o) ? 1 : 0;
        }
        for (Object o : everyExecution) {
            nodes += used.contains(o) ? 0 : 2;
        }
        return nodes + constants.size() + objects.size();
    }
}
