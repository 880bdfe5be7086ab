package org.vitornado.runtime;

import java.util.ArrayList;
import java.util.List;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;

/**
 * A compiled model: its task graphs inside one {@link TornadoExecutionPlan} on the chosen device.
 * Built once per (model, input size, batch); {@link #run()} executes every graph in order. Weights cross to the
 * device on the first run only; activations stay there; only the declared outputs come back.
 */
public final class PlanRunner implements AutoCloseable {

    private final TornadoExecutionPlan plan;
    private final List<PlannedTask> tasks;
    private TornadoExecutionResult lastResult;

    public PlanRunner(List<GraphBuilder> graphs, GridScheduler grids, ExecutionOptions options) {
        Backend.require(options.backend());
        List<ImmutableTaskGraph> snapshots = new ArrayList<>();
        List<PlannedTask> all = new ArrayList<>();
        for (GraphBuilder graph : graphs) {
            snapshots.add(graph.snapshot());
            all.addAll(graph.tasks());
        }
        this.tasks = List.copyOf(all);
        this.plan = new TornadoExecutionPlan(snapshots.toArray(ImmutableTaskGraph[]::new));
        TornadoDevice device = TornadoExecutionPlan.getDevice(0, options.device());
        plan.withDevice(device).withGridScheduler(grids);
        if (graphs.size() > 1) {
            plan.withAllGraphs();
        }
        if (options.profile()) {
            plan.withProfiler(ProfilerMode.SILENT);
        }
    }

    /** Executes every graph once. */
    public TornadoExecutionResult run() {
        lastResult = plan.execute();
        return lastResult;
    }

    /** The result of the last {@link #run()}, for its profile; {@code null} before the first run. */
    public TornadoExecutionResult lastResult() {
        return lastResult;
    }

    public List<PlannedTask> tasks() {
        return tasks;
    }

    @Override
    public void close() {
        try {
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("could not release the execution plan: " + e.getMessage(), e);
        }
    }

    /** The name of the device {@code options} select (the JVM's "device" is all its threads). */
    public static String deviceName(ExecutionOptions options) {
        Backend.require(options.backend());
        return TornadoExecutionPlan.getDevice(0, options.device()).getDeviceName();
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
