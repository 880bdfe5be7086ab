package uk.ac.manchester.tornado.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoBackendNotFound;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.exceptions.TornadoRuntimeException;

/**
 * Runs task graphs (TornadoVM's {@code TornadoExecutionPlan}). On the JVM: the selected graphs' tasks run in order;
 * a plain ({@code @Parallel}) task is one call of its method, a KernelContext task is dispatched over the grid the
 * plan's {@link GridScheduler} registers for {@code graph.task}, on all cores.
 */
public class TornadoExecutionPlan implements AutoCloseable {

    public static TornadoDevice DEFAULT_DEVICE = JvmBackend.DEVICE;

    private static final AtomicLong PLANS = new AtomicLong();

    private final List<ImmutableTaskGraph> graphs;
    private final long id = PLANS.incrementAndGet();
    private int selected = -1;
    private GridScheduler grids = new GridScheduler();
    private ProfilerMode profiler;
    /** Per graph: whether it has executed once (FIRST_EXECUTION transfers happen only before that). */
    private final boolean[] executed;
    private boolean closed;
    /** The graph that ran last, where a graph's {@code consumeFromDevice} arrays are found. */
    private ImmutableTaskGraph lastExecuted;
    private final List<TornadoExecutionResult> results = new ArrayList<>();

    public TornadoExecutionPlan(ImmutableTaskGraph... graphs) {
        if (graphs.length == 0) {
            throw new TornadoRuntimeException("an execution plan needs at least one task graph");
        }
        this.graphs = List.of(graphs);
        this.executed = new boolean[graphs.length];
    }

    public static TornadoDevice getDevice(int backendIndex, int deviceIndex) {
        if (backendIndex != 0) {
            throw new TornadoBackendNotFound("backend " + backendIndex + " not found: the JVM implementation has one backend (0)");
        }
        return JvmBackend.INSTANCE.getDevice(deviceIndex);
    }

    public static int getTotalPlans() {
        return (int) PLANS.get();
    }

    public static TornadoDeviceMap getTornadoDeviceMap() {
        return new TornadoDeviceMap();
    }

    /**
     * Runs the selected graph ({@link #withGraph}), or every graph in order. As in TornadoVM, a graph that consumes
     * arrays from another finds them in the graph this plan ran before: run such graphs one at a time, in order, with
     * {@code withGraph(i).execute()}. (TornadoVM updates that record only after a whole {@code execute()}, so within
     * one execution of all graphs, a graph cannot consume from the one before it.)
     */
    public TornadoExecutionResult execute() {
        if (closed) {
            throw new TornadoRuntimeException("execution plan " + id + " is closed");
        }
        long start = System.nanoTime();
        Map<String, Long> taskTimes = new LinkedHashMap<>();
        long in = 0;
        long out = 0;
        ImmutableTaskGraph ranLast = null;
        for (int g = 0; g < graphs.size(); g++) {
            if (selected >= 0 && g != selected) {
                continue;
            }
            ImmutableTaskGraph graph = graphs.get(g);
            if (!executed[g]) {
                JvmGraphLimits.checkNodes(graph);
            }
            checkConsumed(graph);
            for (JvmTransfer t : graph.transfers) {
                if (t.copiesIn(executed[g])) {
                    in += t.bytes();
                }
            }
            for (JvmTask task : graph.tasks) {
                long t0 = System.nanoTime();
                runTask(task);
                taskTimes.put(task.qualifiedName(), System.nanoTime() - t0);
            }
            for (JvmTransfer t : graph.transfers) {
                if (t.copiesOut()) {
                    out += t.bytes();
                }
            }
            executed[g] = true;
            ranLast = graph;
        }
        if (ranLast != null) {
            lastExecuted = ranLast;
        }
        TornadoProfilerResult profile = new TornadoProfilerResult(System.nanoTime() - start, in, out, taskTimes);
        if (profiler == ProfilerMode.CONSOLE) {
            profile.dumpProfiles();
        }
        TornadoExecutionResult result = new TornadoExecutionResult(profile);
        results.add(result);
        return result;
    }

    /** Every array {@code graph} consumes must have been kept on the device by the graph run before it. */
    private void checkConsumed(ImmutableTaskGraph graph) {
        for (JvmTransfer t : graph.transfers) {
            if (t.kind() != JvmTransfer.Kind.CONSUME) {
                continue;
            }
            if (lastExecuted == null || (t.source() != null && !t.source().equals(lastExecuted.name))) {
                throw new TornadoRuntimeException("task graph '" + graph.name + "' consumes from "
                        + (t.source() == null ? "the graph run before it" : "'" + t.source() + "'") + ", but "
                        + (lastExecuted == null ? "no graph of this plan has run before it" : "the graph run before it was '" + lastExecuted.name + "'")
                        + ": run the graphs one at a time, in order, with withGraph(i).execute()");
            }
            var kept = lastExecuted.keptOnDevice();
            for (Object o : t.objects()) {
                if (!kept.contains(o)) {
                    throw new TornadoRuntimeException("task graph '" + graph.name + "' consumes an array that '" + lastExecuted.name
                            + "' did not keep on the device (persistOnDevice or consumeFromDevice there): " + o);
                }
            }
        }
    }

    private void runTask(JvmTask task) {
        int ctx = task.contextIndex();
        if (ctx < 0) {
            try {
                task.invoke(task.args());
            } catch (RuntimeException | Error e) {
                throw JvmKernelDispatch.failed(task, e);
            }
            return;
        }
        WorkerGrid grid = grids.get(task.qualifiedName());
        if (grid == null) {
            throw new TornadoRuntimeException("task " + task.qualifiedName() + " takes a KernelContext but the plan's "
                    + "GridScheduler has no grid for '" + task.qualifiedName() + "' (withGridScheduler)");
        }
        JvmKernelDispatch.run(task, grid);
    }

    public TornadoExecutionPlan withGraph(int index) {
        if (index < 0 || index >= graphs.size()) {
            throw new TornadoRuntimeException("graph " + index + " not in this plan (it has " + graphs.size() + ")");
        }
        selected = index;
        return this;
    }

    public TornadoExecutionPlan withAllGraphs() {
        selected = -1;
        return this;
    }

    public TornadoExecutionPlan withPreCompilation() {
        return this;
    }

    public TornadoExecutionPlan withDevice(TornadoDevice device) {
        if (device != JvmBackend.DEVICE) {
            throw new TornadoRuntimeException("device " + device + " does not belong to the JVM backend");
        }
        return this;
    }

    public TornadoExecutionPlan withGridScheduler(GridScheduler gridScheduler) {
        this.grids = gridScheduler;
        return this;
    }

    public TornadoExecutionPlan withDefaultScheduler() {
        this.grids = new GridScheduler();
        return this;
    }

    public TornadoExecutionPlan withProfiler(ProfilerMode mode) {
        this.profiler = mode;
        return this;
    }

    public TornadoExecutionPlan withoutProfiler() {
        this.profiler = null;
        return this;
    }

    public TornadoExecutionPlan withWarmUpIterations(int iterations) {
        for (int i = 0; i < iterations; i++) {
            execute();
        }
        return this;
    }

    public TornadoExecutionPlan freeDeviceMemory() {
        return this;
    }

    public TornadoExecutionPlan resetDevice() {
        return this;
    }

    public TornadoExecutionPlan clearProfiles() {
        results.clear();
        return this;
    }

    /** Thread information and kernel printing are GPU concepts: accepted and ignored on the JVM. */
    public TornadoExecutionPlan withThreadInfo() {
        return this;
    }

    public TornadoExecutionPlan withoutThreadInfo() {
        return this;
    }

    public TornadoExecutionPlan withPrintKernel() {
        return this;
    }

    public TornadoExecutionPlan withoutPrintKernel() {
        return this;
    }

    public TornadoDevice getDevice(int index) {
        return getDevice(0, index);
    }

    public long getId() {
        return id;
    }

    public long getGlobalExecutionPlansCounter() {
        return PLANS.get();
    }

    public long getCurrentDeviceMemoryUsage() {
        return 0;
    }

    public TornadoExecutionResult getPlanResult(int index) {
        return results.get(index);
    }

    @Override
    public String toString() {
        return "TornadoExecutionPlan " + id + " (JVM, " + graphs.size() + " graph(s))";
    }

    /**
     * Releases the selected graphs' device memory (all graphs, after {@link #withAllGraphs}), as TornadoVM 5.2.0 does:
     * each graph frees what it copies in, copies back and persists. A graph that also lists an array it consumed
     * would free the buffer of the graph it came from a second time, which TornadoVM rejects ("trying to deallocate an
     * invalid buffer"); it is rejected here too.
     */
    @Override
    public void close() throws TornadoExecutionPlanException {
        closed = true;
        for (int g = 0; g < graphs.size(); g++) {
            if (selected < 0 || g == selected) {
                checkFreedOnce(graphs.get(g));
            }
        }
    }

    private static void checkFreedOnce(ImmutableTaskGraph graph) {
        java.util.Set<Object> consumed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (JvmTransfer t : graph.transfers) {
            if (t.kind() == JvmTransfer.Kind.CONSUME) {
                consumed.addAll(List.of(t.objects()));
            }
        }
        for (JvmTransfer t : graph.transfers) {
            if (t.kind() == JvmTransfer.Kind.CONSUME) {
                continue;
            }
            for (Object o : t.objects()) {
                if (consumed.contains(o)) {
                    throw new TornadoRuntimeException("task graph '" + graph.name + "' consumes an array and also transfers or persists it: "
                            + "TornadoVM would free its buffer twice when the plan closes (\"trying to deallocate an invalid buffer\")");
                }
            }
        }
    }
}
