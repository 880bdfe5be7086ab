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
    /** Each stage's name and first graph. */
    private final List<String> stageLabels;
    private final List<Integer> stageFirstGraph;
    /** Per stage, {from, to} pairs copied on the host after it runs: outputs brought back through a buffer of its last graph. */
    private final List<List<FloatArray[]>> hostCopies;

    private CompiledPlan(String name, List<PlannedGraph> graphs, List<String> stageLabels, List<Integer> stageFirstGraph,
            List<List<FloatArray[]>> hostCopies, PlanRunner runner) {
        this.name = name;
        this.graphs = List.copyOf(graphs);
        this.stageLabels = List.copyOf(stageLabels);
        this.stageFirstGraph = List.copyOf(stageFirstGraph);
        this.hostCopies = hostCopies.stream().map(List::copyOf).toList();
        this.runner = runner;
        List<PlannedTask> all = new ArrayList<>();
        for (PlannedGraph g : graphs) {
            for (Step s : g.steps()) {
                all.add(new PlannedTask(g.name(), s.name(), s.kernel(), s.global(), s.local(), s.cost()));
            }
        }
        this.tasks = List.copyOf(all);
    }

    static CompiledPlan of(String name, List<PlannedGraph> graphs, List<String> stageLabels, List<Integer> stageFirstGraph,
            List<List<FloatArray[]>> hostCopies, ExecutionOptions options) {
        return new CompiledPlan(name, graphs, stageLabels, stageFirstGraph, hostCopies, options == null ? null : new PlanRunner(graphs, options));
    }

    /** The number of stages (1 for a plan without {@code PlanBuilder.stage}). */
    public int stages() {
        return stageLabels.size();
    }

    /** The name of stage {@code i}. */
    public String stageLabel(int i) {
        return stageLabels.get(i);
    }

    /** The stage graph {@code graph} belongs to. */
    public int stageOfGraph(int graph) {
        int stage = 0;
        for (int i = 0; i < stageFirstGraph.size(); i++) {
            if (stageFirstGraph.get(i) <= graph) {
                stage = i;
            }
        }
        return stage;
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
        for (List<FloatArray[]> stage : hostCopies) {
            for (FloatArray[] c : stage) {
                seen.add(c[1]);
            }
        }
        return PlannedGraph.bytes(new ArrayList<>(seen));
    }

    /** Runs every graph once, in order. */
    public void run() {
        for (int i = 0; i < stages(); i++) {
            runStage(i);
        }
    }

    /**
     * Runs the graphs of stage {@code i} once; its outputs are then on the host. Stages run in order, each after the
     * one before it (the device keeps what a later stage consumes); stage 0 starts a new run.
     */
    public void runStage(int i) {
        if (runner == null) {
            throw new IllegalStateException("plan " + name + " was built for inspection only (no backend)");
        }
        int end = i + 1 < stageFirstGraph.size() ? stageFirstGraph.get(i + 1) : graphs.size();
        runner.run(stageFirstGraph.get(i), end, i == 0);
        for (FloatArray[] c : hostCopies.get(i)) {
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
