package org.vitornado.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.plan.ModelPlan;
import org.vitornado.model.source.ModelSource;
import org.vitornado.model.source.Presets;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.runtime.Backend;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.PlanRunner;
import org.vitornado.runtime.PlannedTask;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.TaskProfile;
import org.vitornado.runtime.plan.GraphBudget;
import org.vitornado.runtime.plan.PlannedGraph;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code plan}: the task graphs a model compiles to, one row per kernel task with its grid, FLOPs and bytes.
 * The teaching view of how a ViT maps onto GPU kernels. With {@code --profile} it runs them and times each task.
 */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The task graphs as a table: kernel, grid, FLOPs and bytes per task; --profile times each task.",
        footer = {"", "Presets (random weights): " + Presets.SUMMARY})
final class PlanCommand extends CliCommand {

    @Option(names = "--model", required = true, paramLabel = "PATH|PRESET",
            description = "a checkpoint (only its config is read without --profile): a ViT, a backbone or a segmenter; or a preset")
    String model;

    @Option(names = "--size", paramLabel = "HxW", converter = Size.Converter.class, description = "input size (default: the model's)")
    Size size;

    @Option(names = "--batch", paramLabel = "B", defaultValue = "1", description = "images per execution (default 1)")
    int batch;

    @Option(names = "--profile", description = "run it (checkpoint weights, or random for a preset) and print each task's median time, share and GFLOP/s")
    boolean profile;

    @Option(names = "--versions", description = "with --profile under TornadoVM: also run every kernel's first and second version and compare them")
    boolean versions;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "5", description = "timed runs with --profile, after one warm-up (default 5)")
    int iterations;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() {
        if (batch < 1) {
            throw usage("--batch must be >= 1, got " + batch);
        }
        if (iterations < 1) {
            throw usage("--iterations must be >= 1, got " + iterations);
        }
        try (ModelSource source = ModelSource.open(model)) {
            int h = size == null ? source.imgH() : size.height();
            int w = size == null ? source.imgW() : size.width();
            if (profile) {
                return profile(source, h, w);
            }
            source.checkFits(batch, h, w, null);
            try (ModelPlan plan = source.inspect(batch, h, w)) {
                out().printf("%s%ninput %d x %dx%d -> %s%n%n", source.describe(), batch, h, w, outputs(source, plan, h, w));
                print(plan, out());
            }
        }
        return Main.OK;
    }

    /** What the plan hands back, for the header line. */
    private static String outputs(ModelSource source, ModelPlan plan, int h, int w) {
        if (plan instanceof VitPlan vit) {
            return vit.tokens() + " tokens of " + source.vit().embedDim();
        }
        if (plan instanceof FeatureMaps maps) {
            return "outputs " + InfoCommand.shapes(maps.shapes());
        }
        if (source.detr() != null) {
            return String.format("%d detections per image (class, score, box: DETR's queries)", source.detr().queries());
        }
        if (source.kind() == ModelSource.Kind.DETECTOR) {
            return String.format("up to %d detections per image (box, class, score, %dx%d mask)", source.detector().roi().topkPerImage(),
                    source.detector().roi().maskSize(), source.detector().roi().maskSize());
        }
        return "scores " + source.classes() + " x " + h + "x" + w;
    }

    /** {@code --profile}: each task's median kernel time over {@code --iterations} runs after one warm-up. */
    private int profile(ModelSource source, int h, int w) {
        ExecutionOptions options = run.execution(true);
        if (versions && options.backend() != Backend.TORNADO) {
            throw usage("--versions compares the kernels TornadoVM compiles: use it with --backend tornado");
        }
        source.checkFits(batch, h, w, options);
        Profile p = measure(source, h, w, options);
        out().printf("%s%ninput %d x %dx%d on %s, median of %d runs%n%n", source.describe(), batch, h, w, PlanRunner.deviceName(options), iterations);
        printProfile(p, out());
        if (!p.hostMillis().isEmpty()) {
            out().println();
            out().println("on the host, between stages (last run):");
            p.hostMillis().forEach((step, ms) -> out().printf("  %-40s %10.3f ms%n", step, ms));
        }
        if (versions) {
            compareVersions(source, h, w, options);
        }
        return Main.OK;
    }

    /** One profiled plan: its tasks, each task's times over the runs, and the host steps' times. */
    record Profile(List<PlannedTask> tasks, Map<String, long[]> times, Map<String, Double> hostMillis) {

        /** Median milliseconds of a task, 0 when it was not timed. */
        double ms(PlannedTask t) {
            long[] v = times.get(t.graph() + "." + t.name());
            if (v == null) {
                return 0;
            }
            long[] sorted = v.clone();
            java.util.Arrays.sort(sorted);
            return sorted[sorted.length / 2] / 1e6;
        }
    }

    private Profile measure(ModelSource source, int h, int w, ExecutionOptions options) {
        float[] pixels = new float[Math.multiplyExact(Math.multiplyExact(batch, source.inChans()), h * w)];
        java.util.Arrays.fill(pixels, 0.1f);
        try (ModelPlan compiled = source.compile(batch, h, w, options)) {
            compiled.run(pixels);
            Map<String, long[]> times = new LinkedHashMap<>();
            for (int i = 0; i < iterations; i++) {
                compiled.run(pixels);
                int r = i;
                TaskProfile.kernelTimes(compiled.runner()).forEach((task, ns) -> times.computeIfAbsent(task, k -> new long[iterations])[r] = ns);
            }
            return new Profile(compiled.tasks(), times, compiled.hostMillis());
        }
    }

    /**
     * {@code --versions}: the same plan with every operation's first version, then with its second where it has one
     * ({@code -Dvitornado.gpuVersions}), and per operation the time and GFLOP/s of each.
     */
    private void compareVersions(ModelSource source, int h, int w, ExecutionOptions options) {
        Profile v1 = PlanBuilder.withGpuVersions(false, () -> measure(source, h, w, options));
        Profile v2 = PlanBuilder.withGpuVersions(true, () -> measure(source, h, w, options));
        // The two plans have the same tasks in the same order; only the kernels of some differ.
        Map<String, double[]> rows = new LinkedHashMap<>(); // "v1 kernel -> v2 kernel": ms1, ms2, flops
        for (int i = 0; i < v1.tasks().size() && i < v2.tasks().size(); i++) {
            PlannedTask a = v1.tasks().get(i);
            PlannedTask b = v2.tasks().get(i);
            if (a.kernel().equals(b.kernel())) {
                continue;
            }
            double[] r = rows.computeIfAbsent(a.kernel() + " -> " + b.kernel(), k -> new double[3]);
            r[0] += v1.ms(a);
            r[1] += v2.ms(b);
            r[2] += a.cost().flops();
        }
        out().println();
        out().println("kernel versions (the plan run with version 1, then with version 2; median of " + iterations + " runs each):");
        String fmt = "%-66s %10s %8s %10s %8s %7s%n";
        out().printf(fmt, "version 1 -> version 2", "v1 ms", "GFLOP/s", "v2 ms", "GFLOP/s", "v2 gain");
        rows.forEach((k, r) -> out().printf(fmt, k, String.format("%.3f", r[0]), gflops(r[2], r[0]), String.format("%.3f", r[1]), gflops(r[2], r[1]),
                r[1] > 0 ? String.format("%.2fx", r[0] / r[1]) : "-"));
        if (rows.isEmpty()) {
            out().println("(no task of this model has a second version)");
        }
    }

    private static String gflops(double flops, double ms) {
        return ms > 0 ? String.format("%.1f", flops / (ms / 1e3) / 1e9) : "-";
    }

    static void printProfile(Profile p, PrintWriter out) {
        List<PlannedTask> tasks = p.tasks();
        int nameWidth = Math.max(4, tasks.stream().mapToInt(t -> t.name().length()).max().orElse(4));
        int kernelWidth = Math.max(6, tasks.stream().mapToInt(t -> t.kernel().length()).max().orElse(6));
        String row = "%-" + nameWidth + "s  %-" + kernelWidth + "s  %10s  %7s  %10s%n";
        out.printf(row, "task", "kernel", "ms", "share", "GFLOP/s");
        double[] ms = new double[tasks.size()];
        double total = 0;
        for (int i = 0; i < tasks.size(); i++) {
            ms[i] = p.ms(tasks.get(i));
            total += ms[i];
        }
        Map<String, Double> byKernel = new LinkedHashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            PlannedTask t = tasks.get(i);
            out.printf(row, t.name(), t.kernel(), String.format("%.3f", ms[i]), String.format("%.1f%%", 100 * ms[i] / total),
                    ms[i] > 0 ? String.format("%.1f", t.cost().flops() / (ms[i] / 1e3) / 1e9) : "-");
            byKernel.merge(t.kernel(), ms[i], Double::sum);
        }
        out.printf(row, "total (" + tasks.size() + ")", "", String.format("%.3f", total), "100%", "");
        out.println();
        out.println("by kernel:");
        double sum = total;
        byKernel.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(e -> out.printf("  %-" + kernelWidth + "s %10.3f ms  %5.1f%%%n", e.getKey(), e.getValue(), 100 * e.getValue() / sum));
    }

    /**
     * Every task graph: what crosses its boundary and how much of TornadoVM's per-graph limits it uses, then one row
     * per task with its kernel, grid, FLOPs and bytes.
     */
    static void print(ModelPlan plan, PrintWriter out) {
        List<PlannedGraph> graphs = plan.graphs();
        List<PlannedTask> tasks = new ArrayList<>();
        graphs.forEach(g -> g.steps().forEach(s -> tasks.add(new PlannedTask(g.name(), s.name(), s.kernel(), s.global(), s.local(), s.cost()))));
        int nameWidth = Math.max(4, tasks.stream().mapToInt(t -> t.name().length()).max().orElse(4));
        int kernelWidth = Math.max(6, tasks.stream().mapToInt(t -> t.kernel().length()).max().orElse(6));
        int gridWidth = Math.max(4, tasks.stream().mapToInt(t -> t.gridDescription().length()).max().orElse(4));
        String row = "%-" + nameWidth + "s  %-" + kernelWidth + "s  %-" + gridWidth + "s  %12s  %12s  %12s%n";
        out.println(graphs.size() == 1 ? "1 task graph" : graphs.size() + " task graphs, run one after another; arrays stay on the device between them");
        out.println();
        TaskCost total = TaskCost.ZERO;
        int index = 0;
        List<String> host = plan.hostWork();
        for (PlannedGraph g : graphs) {
            int stage = plan.stageOfGraph(index);
            if (plan.stages() > 1 && (index == 0 || plan.stageOfGraph(index - 1) != stage)) {
                out.printf("== stage %d of %d: %s (device)%n%n", stage + 1, plan.stages(), plan.stageLabel(stage));
            }
            out.printf("graph %s: %s, %d tasks; %,d of %,d graph nodes, %,d of %,d bytes of recorded code%n", g.name(), g.sections(), g.steps().size(),
                    g.nodes(), GraphBudget.MAX_NODES, g.codeBytes(), GraphBudget.MAX_CODE_BYTES);
            // (Weights are counted, not sized: a plan built for inspection has none.)
            String in = transfers(g.inputs(), "input (every run)", List.of(), "", g.consumed(),
                    "left on the device by " + (index > 0 ? graphs.get(index - 1).name() : "-"));
            out.printf("  in: %d weights (first run)%s%n  out: %s%n", g.weights().size(), in.equals("-") ? "" : ", " + in,
                    transfers(g.outputs(), "to the host", g.persisted(), "kept on the device for later graphs", List.of(), ""));
            out.printf(row, "task", "kernel", "grid", "MFLOP", "read MB", "written MB");
            for (PlannedTask t : tasks) {
                if (t.graph().equals(g.name())) {
                    out.printf(row, t.name(), t.kernel(), t.gridDescription(), mega(t.cost().flops()), mega(t.cost().bytesRead()),
                            mega(t.cost().bytesWritten()));
                    total = total.plus(t.cost());
                }
            }
            out.println();
            index++;
            if (plan.stages() > 1 && (index == graphs.size() || plan.stageOfGraph(index) != stage) && stage < host.size()) {
                out.printf("== host, after stage %d: %s%n%n", stage + 1, host.get(stage));
            }
        }
        out.printf(row, "total (" + tasks.size() + ")", "", "", mega(total.flops()), mega(total.bytesRead()), mega(total.bytesWritten()));
    }

    /** {@code 1 input (every run) (602.1 KB), 5 left on the device by vit_0 (12.0 MB)}, or {@code -}. */
    private static String transfers(List<Object> a, String what, List<Object> b, String whatB, List<Object> c, String whatC) {
        List<String> parts = new ArrayList<>();
        for (var e : List.of(Map.entry(a, what), Map.entry(b, whatB), Map.entry(c, whatC))) {
            if (!e.getKey().isEmpty()) {
                long bytes = PlannedGraph.bytes(e.getKey());
                parts.add(String.format("%d %s (%s)", e.getKey().size(), e.getValue(), bytes < 1_000_000 ? String.format("%.1f KB", bytes / 1e3)
                        : String.format("%.1f MB", bytes / 1e6)));
            }
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    private static String mega(long v) {
        return String.format("%.3f", v / 1e6);
    }
}
