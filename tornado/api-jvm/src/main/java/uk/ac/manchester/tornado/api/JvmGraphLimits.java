package uk.ac.manchester.tornado.api;

import java.nio.BufferOverflowException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import uk.ac.manchester.tornado.api.exceptions.TornadoRuntimeException;

/**
 * The two per-graph limits of TornadoVM 5.2.0, enforced where the real runtime enforces them, so that a graph too
 * large for TornadoVM fails on the JVM as well.
 *
 * <ul>
 * <li><b>Recorded code: 8,192 bytes.</b> {@code TornadoTaskGraph} records every task into a fixed buffer: a context
 * entry (9 bytes), an argument list (5 bytes), 5 bytes per argument and a launch byte, i.e. {@code 15 + 5 * args}
 * bytes. The task that does not fit fails in {@code task(...)} with a {@link BufferOverflowException}. Exact.</li>
 * <li><b>Graph nodes: 1,024.</b> {@code TornadoGraphBuilder} turns the graph into nodes when it first runs:
 * one per distinct constant and per distinct object, one device context, per task a task node and an allocation
 * node, per object's first use in a task a transfer (or allocation) node and its release node, a dependent-read
 * node for every argument the task writes, a copy-out per output. Past 1,024, TornadoVM fails ({@code Tornado
 * Graph resize not implemented yet}). TornadoVM knows from the kernel's code which arguments it writes; this
 * implementation cannot, so it counts every array argument as written. Its count is therefore an upper bound: it
 * rejects every graph TornadoVM rejects, and some it would accept.</li>
 * </ul>
 * Measured on TornadoVM 5.2.0-jdk25 (OpenCL, PoCL): a chain of linear tasks ({@code KernelContext}, four arrays,
 * three ints) runs with 84 tasks and fails with 85 (the count here, an upper bound, allows 67); a chain of
 * {@code @Parallel} tasks (two arrays, two scalars) runs with 168 and fails with 170; tasks of one array and 14 ints
 * (90 bytes each) fit 91 to a graph and overflow with the 92nd.
 */
final class JvmGraphLimits {

    static final int MAX_CODE_BYTES = 8192;
    static final int MAX_NODES = 1024;

    private JvmGraphLimits() {
    }

    /** TornadoVM's recorded code for one task of {@code args} arguments. */
    static int codeBytes(int args) {
        return 15 + 5 * args;
    }

    /** The code size after adding a task of {@code args} arguments to a graph holding {@code before} bytes. */
    static int recordTask(String graph, String task, int before, int args) {
        int after = before + codeBytes(args);
        if (after > MAX_CODE_BYTES) {
            throw new CodeOverflow(graph, task, after);
        }
        return after;
    }

    /** Fails as TornadoVM does when {@code graph} has more nodes than it can hold. */
    static void checkNodes(ImmutableTaskGraph graph) {
        int nodes = nodes(graph);
        if (nodes > MAX_NODES) {
            throw new TornadoRuntimeException("task graph '" + graph.name + "' needs " + nodes + " graph nodes (counting every array argument as "
                    + "written) and TornadoVM holds " + MAX_NODES + " per graph (\"Tornado Graph resize not implemented yet\"): split it into "
                    + "several graphs joined by persistOnDevice / consumeFromDevice");
        }
    }

    /** The node count described above, an upper bound on TornadoVM's. */
    static int nodes(ImmutableTaskGraph graph) {
        Set<Object> objects = identitySet();
        List<Object> constants = new ArrayList<>();
        Set<Object> streamIn = identitySet();
        Set<Object> streamOut = identitySet();
        for (JvmTransfer t : graph.transfers) {
            for (Object o : t.objects()) {
                if (o instanceof Number) {
                    continue;
                }
                objects.add(o);
                if (t.kind() == JvmTransfer.Kind.TO_DEVICE && t.mode() == uk.ac.manchester.tornado.api.enums.DataTransferMode.EVERY_EXECUTION) {
                    streamIn.add(o);
                } else if (t.kind() == JvmTransfer.Kind.TO_HOST && t.mode() != uk.ac.manchester.tornado.api.enums.DataTransferMode.UNDER_DEMAND) {
                    streamOut.add(o);
                }
            }
        }
        int nodes = 1;
        Set<Object> used = identitySet();
        for (JvmTask task : graph.tasks) {
            nodes += 2;
            for (Object arg : task.args()) {
                if (isScalar(arg)) {
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
        for (Object o : streamOut) {
            nodes += used.contains(o) ? 1 : 0;
        }
        for (Object o : streamIn) {
            nodes += used.contains(o) ? 0 : 2;
        }
        return nodes + constants.size() + objects.size();
    }

    private static boolean isScalar(Object o) {
        return o instanceof Number || o instanceof Boolean || o instanceof Character;
    }

    private static Set<Object> identitySet() {
        return Collections.newSetFromMap(new IdentityHashMap<>());
    }

    /** TornadoVM's overflow of its recorded-code buffer, with a message that says which graph and what to do. */
    static final class CodeOverflow extends BufferOverflowException {
        private final String message;

        CodeOverflow(String graph, String task, int bytes) {
            this.message = "task graph '" + graph + "': task '" + task + "' brings TornadoVM's recorded code to " + bytes + " bytes, past its "
                    + MAX_CODE_BYTES + "-byte buffer per graph: split the graph";
        }

        @Override
        public String getMessage() {
            return message;
        }
    }
}
