package org.vitornado.runtime;

import java.util.ArrayList;
import java.util.List;

import org.vitornado.runtime.plan.PlannedGraph;
import org.vitornado.runtime.plan.Step;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A model's forward pass for one input shape: its task graphs, and the runner that executes them on the chosen
 * backend ({@code null} for a plan built for inspection only).
 */
public final class CompiledPlan implements AutoCloseable {

    private final String name;
    private final List<PlannedGraph> graphs;
    private final List<PlannedTask> tasks;
    private final PlanRunner runner;
    /** {from, to} pairs copied on the host after every run: outputs brought back through a buffer of the last graph. */
    private final List<FloatArray[]> hostCopies;

    private CompiledPlan(String name, List<PlannedGraph> graphs, List<FloatArray[]> hostCopies, PlanRunner runner) {
        this.name = name;
        this.graphs = List.copyOf(graphs);
        this.hostCopies = List.copyOf(hostCopies);
        this.runner = runner;
        List<PlannedTask> all = new ArrayList<>();
        for (PlannedGraph g : graphs) {
            for (Step s : g.steps()) {
                all.add(new PlannedTask(g.name(), s.name(), s.kernel(), s.global(), s.local(), s.cost()));
            }
        }
        this.tasks = List.copyOf(all);
    }

    static CompiledPlan of(String name, List<PlannedGraph> graphs, List<FloatArray[]> hostCopies, ExecutionOptions options) {
        return new CompiledPlan(name, graphs, hostCopies, options == null ? null : new PlanRunner(graphs, options));
    }

    public String name() {
        return name;
    }

    public List<PlannedGraph> graphs() {
        return graphs;
    }

    /** Every kernel task, in execution order, with its graph. */
    public List<PlannedTask> tasks() {
        return tasks;
    }

    /** The runner; {@code null} for a plan built for inspection only. */
    public PlanRunner runner() {
        return runner;
    }

    /**
     * Bytes of every distinct array the tasks read or write, and of the host copies of the outputs: what the plan
     * holds off-heap (and, on a device, in device memory). A plan built on placeholder weights counts its activations.
     */
    public long arrayBytes() {
        java.util.Set<Object> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (PlannedGraph g : graphs) {
            for (Step s : g.steps()) {
                seen.addAll(s.reads());
                seen.addAll(s.writes());
            }
        }
        for (FloatArray[] c : hostCopies) {
            seen.add(c[1]);
        }
        return PlannedGraph.bytes(new ArrayList<>(seen));
    }

    /** Runs every graph once, in order. */
    public void run() {
        if (runner == null) {
            throw new IllegalStateException("plan " + name + " was built for inspection only (no backend)");
        }
        runner.run();
        for (FloatArray[] c : hostCopies) {
            c[1].getSegment().copyFrom(c[0].getSegment());
        }
    }

    @Override
    public void close() {
        if (runner != null) {
            runner.close();
        }
    }
}
