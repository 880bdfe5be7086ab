package org.vitornado.runtime.plan;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Splits a plan's tasks into task graphs that each fit TornadoVM's per-graph limits ({@link GraphBudget}), the way
 * larger TornadoVM programs split a transformer (GPULlama3.java: a graph per layer): graphs break between sections
 * (a block, a pyramid level) and hold as many whole sections as fit; a section too large alone is split between tasks.
 *
 * <p>What crosses a boundary follows from the tasks' reads and writes:
 * <ul>
 * <li>a <b>weight</b> (read, never written, not an input) is copied in once by every graph that reads it;</li>
 * <li>an <b>input</b> is copied in on every execution by the first graph that uses it;</li>
 * <li>an array used on both sides of a boundary (an activation, or scratch space shared by blocks) stays on the
 * device: the graph that first uses it persists it, every later graph that needs it (or a graph after it) consumes it
 * from the graph before, so every activation has one device buffer;</li>
 * <li>an <b>output</b> is copied back by the graph that writes it last (see {@code PlanBuilder.compile} for outputs
 * kept on the device across graphs).</li>
 * </ul>
 */
public final class Partitioner {

    /**
     * A named run of steps where a graph may begin. A section that begins a {@code stage} always begins a graph: the
     * host runs between stages (a detector's top-k and NMS), so no graph may span two.
     */
    public record Section(String label, int start, boolean stage) {
    }

    private final String name;
    private final List<Step> steps;
    private final List<Section> sections;
    private final Set<Object> inputs;
    private final List<Object> outputs;
    private final Set<Object> weights = Step.identitySet();
    private final Map<Object, Integer> firstUse = new IdentityHashMap<>();
    private final Map<Object, Integer> lastUse = new IdentityHashMap<>();
    private final Map<Object, Integer> lastWrite = new IdentityHashMap<>();

    /** The task graphs of {@code steps}, in execution order: {@code name_0}, {@code name_1}, ... */
    public static List<PlannedGraph> partition(String name, List<Step> steps, List<Section> sections, Set<Object> inputs, List<Object> outputs) {
        return new Partitioner(name, steps, sections, inputs, outputs).partition();
    }

    private Partitioner(String name, List<Step> steps, List<Section> sections, Set<Object> inputs, List<Object> outputs) {
        this.name = name;
        this.steps = steps;
        this.sections = sections;
        this.inputs = inputs;
        this.outputs = outputs;
        Set<Object> written = Step.identitySet();
        for (Step s : steps) {
            written.addAll(s.writes());
        }
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            for (Object a : s.reads()) {
                if (!written.contains(a) && !inputs.contains(a)) {
                    weights.add(a);
                } else if (!inputs.contains(a) && !lastWrite.containsKey(a) && !s.writes().contains(a)) {
                    throw new IllegalStateException("plan " + name + ": task " + s.name() + " reads an array before any task writes it");
                }
            }
            for (Object a : s.writes()) {
                if (inputs.contains(a)) {
                    throw new IllegalStateException("plan " + name + ": task " + s.name() + " writes the input");
                }
                if (!lastWrite.containsKey(a) && s.reads().contains(a)) {
                    throw new IllegalStateException("plan " + name + ": task " + s.name() + " updates an array no task wrote before");
                }
                lastWrite.put(a, i);
            }
            for (Object a : arrays(s)) {
                if (!weights.contains(a)) {
                    firstUse.putIfAbsent(a, i);
                    lastUse.put(a, i);
                }
            }
        }
        for (Object o : outputs) {
            if (!lastWrite.containsKey(o)) {
                throw new IllegalStateException("plan " + name + ": an output is not written by any task");
            }
        }
    }

    private List<PlannedGraph> partition() {
        List<PlannedGraph> graphs = new ArrayList<>();
        int start = 0;
        int end = 0;
        boolean stageBegins = false;
        for (int k = 0; k < sections.size(); k++) {
            int sectionEnd = k + 1 < sections.size() ? sections.get(k + 1).start() : steps.size();
            stageBegins |= sections.get(k).stage();
            if (sectionEnd == sections.get(k).start()) {
                continue;
            }
            if (stageBegins && end > start) {
                graphs.add(graph(graphs.size(), start, end));
                start = end;
            }
            stageBegins = false;
            if (fits(start, sectionEnd)) {
                end = sectionEnd;
                continue;
            }
            if (end > start) {
                graphs.add(graph(graphs.size(), start, end));
                start = end;
            }
            if (fits(start, sectionEnd)) {
                end = sectionEnd;
                continue;
            }
            // A section too large for one graph: split it between tasks.
            while (start < sectionEnd) {
                int stop = start + 1;
                while (stop < sectionEnd && fits(start, stop + 1)) {
                    stop++;
                }
                if (!fits(start, stop)) {
                    throw new IllegalStateException("plan " + name + ": task " + steps.get(start).name() + " alone exceeds a task graph's budget");
                }
                if (stop == sectionEnd) {
                    end = stop;
                    break;
                }
                graphs.add(graph(graphs.size(), start, stop));
                start = stop;
                end = stop;
            }
        }
        if (end > start) {
            graphs.add(graph(graphs.size(), start, end));
        }
        return graphs;
    }

    private boolean fits(int start, int end) {
        Transfers t = transfers(start, end);
        List<Step> range = steps.subList(start, end);
        return GraphBudget.fits(GraphBudget.nodes(range, t.inputs, t.onceOrKept(), t.outputs), GraphBudget.codeBytes(range));
    }

    private PlannedGraph graph(int index, int start, int end) {
        Transfers t = transfers(start, end);
        List<Step> range = List.copyOf(steps.subList(start, end));
        return new PlannedGraph(name + "_" + index, range, t.consumed, t.weights, t.inputs, t.outputs, t.persisted,
                GraphBudget.nodes(range, t.inputs, t.onceOrKept(), t.outputs), GraphBudget.codeBytes(range), sectionAt(start), sectionAt(end - 1));
    }

    private String sectionAt(int step) {
        String label = sections.get(0).label();
        for (Section s : sections) {
            if (s.start() <= step) {
                label = s.label();
            }
        }
        return label;
    }

    /** What graph {@code [start, end)} declares. */
    private record Transfers(List<Object> consumed, List<Object> weights, List<Object> inputs, List<Object> outputs, List<Object> persisted) {
        List<Object> onceOrKept() {
            List<Object> all = new ArrayList<>(consumed);
            all.addAll(weights);
            all.addAll(persisted);
            return all;
        }
    }

    private Transfers transfers(int start, int end) {
        Set<Object> consumed = Step.identitySet();
        Set<Object> persisted = Step.identitySet();
        for (var e : firstUse.entrySet()) {
            int first = e.getValue();
            int last = lastUse.get(e.getKey());
            if (first < start && last >= start) {
                consumed.add(e.getKey());
            }
            // Only the graph that first uses an array persists it: a graph that consumed it keeps it anyway, and
            // TornadoVM frees, when the plan closes, what each graph persists (a second graph would free it again).
            if (first >= start && first < end && last >= end) {
                persisted.add(e.getKey());
            }
        }
        Set<Object> weightsHere = Step.identitySet();
        Set<Object> inputsHere = Step.identitySet();
        for (int i = start; i < end; i++) {
            for (Object a : arrays(steps.get(i))) {
                if (weights.contains(a)) {
                    weightsHere.add(a);
                } else if (inputs.contains(a) && firstUse.get(a) == i) {
                    inputsHere.add(a);
                }
            }
        }
        List<Object> out = new ArrayList<>();
        for (Object o : outputs) {
            int w = lastWrite.get(o);
            if (w >= start && w < end) {
                out.add(o);
            }
        }
        return new Transfers(ordered(consumed), ordered(weightsHere), ordered(inputsHere), out, ordered(persisted));
    }

    /** {@code set} in the order the steps first use its arrays (stable across runs, readable in {@code plan}). */
    private List<Object> ordered(Set<Object> set) {
        List<Object> out = new ArrayList<>();
        Set<Object> seen = Step.identitySet();
        for (Step s : steps) {
            for (Object a : arrays(s)) {
                if (set.contains(a) && seen.add(a)) {
                    out.add(a);
                }
            }
        }
        return out;
    }

    private static List<Object> arrays(Step s) {
        List<Object> all = new ArrayList<>(s.reads());
        all.addAll(s.writes());
        return all;
    }
}
