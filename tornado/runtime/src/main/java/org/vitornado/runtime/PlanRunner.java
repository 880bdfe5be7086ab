package org.vitornado.runtime;

import java.util.ArrayList;
import java.util.List;

import org.vitornado.runtime.plan.PlannedGraph;
import org.vitornado.runtime.plan.Step;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/**
 * A plan's task graphs in one {@link TornadoExecutionPlan} on the chosen device. Every graph is built as TornadoVM's
 * examples build one: arrays consumed from the previous graph, weights {@code FIRST_EXECUTION}, the input
 * {@code EVERY_EXECUTION}, the tasks, outputs copied back, arrays persisted for the next graph. {@link #run()}
 * executes the graphs one at a time, in order ({@code withGraph(i).execute()}), which is how TornadoVM 5.2.0 hands
 * a graph the arrays the one before it left on the device.
 */
public final class PlanRunner implements AutoCloseable {

    /**
     * TornadoVM's own bytecode buffer per graph ({@code -Dtornado.tvm.maxbytecodesize}, 4 KB by default) overflows at
     * about 20 of our tasks; a plan's graph holds up to a few hundred. Read when TornadoVM compiles its first graph,
     * so it is set (when the user has not) before this runner's graphs first run.
     */
    static final String BYTECODE_BUFFER = "tornado.tvm.maxbytecodesize";
    static final String BYTECODE_BUFFER_SIZE = "1048576";

    private final TornadoExecutionPlan plan;
    private final int graphs;
    private final boolean profile;
    /**
     * Each graph's profiler log of the last run, read right after that graph executed: the real TornadoVM's result
     * objects show the plan's latest log, so reading them all after the run gives the last graph's log every time.
     */
    private final List<String> lastProfileLogs = new ArrayList<>();

    PlanRunner(List<PlannedGraph> planned, ExecutionOptions options) {
        Backend.require(options.backend());
        this.profile = options.profile();
        if (options.backend() == Backend.TORNADO && System.getProperty(BYTECODE_BUFFER) == null) {
            System.setProperty(BYTECODE_BUFFER, BYTECODE_BUFFER_SIZE);
        }
        GridScheduler grids = new GridScheduler();
        boolean anyGrid = false;
        List<ImmutableTaskGraph> snapshots = new ArrayList<>();
        String previous = null;
        for (PlannedGraph g : planned) {
            TaskGraph graph = new TaskGraph(g.name());
            if (!g.consumed().isEmpty()) {
                graph.consumeFromDevice(previous, g.consumed().toArray());
            }
            if (!g.weights().isEmpty()) {
                graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, g.weights().toArray());
            }
            if (!g.inputs().isEmpty()) {
                graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, g.inputs().toArray());
            }
            for (Step s : g.steps()) {
                s.call().addTo(graph, s.name());
                if (s.grid() != null) {
                    grids.addWorkerGrid(g.name() + "." + s.name(), s.grid());
                    anyGrid = true;
                }
            }
            if (!g.outputs().isEmpty()) {
                graph.transferToHost(DataTransferMode.EVERY_EXECUTION, g.outputs().toArray());
            }
            if (!g.persisted().isEmpty()) {
                graph.persistOnDevice(g.persisted().toArray());
            }
            snapshots.add(graph.snapshot());
            previous = g.name();
        }
        this.graphs = snapshots.size();
        this.plan = new TornadoExecutionPlan(snapshots.toArray(ImmutableTaskGraph[]::new));
        TornadoDevice device = options.tornadoDevice();
        plan.withDevice(device);
        if (anyGrid) {
            // TornadoVM rejects a scheduler without grids ("GridScheduler Name not registered in any task-graph").
            plan.withGridScheduler(grids);
        }
        if (options.profile()) {
            plan.withProfiler(ProfilerMode.SILENT);
        }
    }

    /** Executes every graph once, in order. */
    public void run() {
        run(0, graphs, true);
    }

    /** Executes graphs {@code [from, to)} once, in order; {@code fresh} starts a new run's profile. */
    void run(int from, int to, boolean fresh) {
        if (fresh) {
            lastProfileLogs.clear();
        }
        if (graphs == 1) {
            keepProfile(plan.execute());
            return;
        }
        for (int i = from; i < to; i++) {
            keepProfile(plan.withGraph(i).execute());
        }
    }

    private void keepProfile(TornadoExecutionResult result) {
        if (profile) {
            lastProfileLogs.add(result.getProfilerResult().getProfileLog());
        }
    }

    /** The profiler log of each graph in the last {@link #run()}; empty before the first run or without profiling. */
    public List<String> lastProfileLogs() {
        return List.copyOf(lastProfileLogs);
    }

    @Override
    public void close() {
        try {
            // TornadoVM 5.2.0 frees the device memory of the graphs selected last: select them all first, or the
            // buffers of every graph but the last would stay allocated.
            plan.withAllGraphs();
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("could not release the execution plan: " + e.getMessage(), e);
        }
    }

    /** The name of the device {@code options} select (the JVM's "device" is all its threads). */
    public static String deviceName(ExecutionOptions options) {
        Backend.require(options.backend());
        return options.tornadoDevice().getDeviceName();
    }

    /** The device {@code options} select, with what its driver says of it ({@code opencl-0-0 (PoCL: pthread-...)}). */
    public static String describeDevice(ExecutionOptions options) {
        Backend.require(options.backend());
        TornadoDevice d = options.tornadoDevice();
        return d.getDeviceName() + " (" + d.getPlatformName() + ": " + d.getDescription() + ")";
    }

    /** Threads of the JVM backend ({@code -Dvitornado.jvm.threads}, default: all cores). */
    public static int jvmThreads() {
        return Integer.getInteger("vitornado.jvm.threads", Runtime.getRuntime().availableProcessors());
    }

    /** The JVM's float32 FMA peak on {@link #jvmThreads()} threads, or NaN without the Vector API module. */
    public static double jvmPeakGflops() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return Double.NaN;
        }
        return org.vitornado.runtime.jvm.JvmPeak.gflops(jvmThreads());
    }
}
