package org.vitornado.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vitornado.model.Checkpoint;
import org.vitornado.model.backbone.Backbone;
import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.bench.BenchTarget;
import org.vitornado.model.bench.BenchTargets;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.plan.ModelPlan;
import org.vitornado.model.segmentation.SegmentationModel;
import org.vitornado.model.segmentation.SegmentationPlan;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitConfigReader;
import org.vitornado.model.vit.VitModel;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanRunner;
import org.vitornado.runtime.PlannedTask;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.TaskProfile;
import org.vitornado.runtime.plan.GraphBudget;
import org.vitornado.runtime.plan.PlannedGraph;

/**
 * {@code plan}: the task graph a model compiles to, one row per kernel task with its grid, FLOPs and bytes.
 * The teaching view of how a ViT maps onto GPU kernels.
 */
final class PlanCommand implements Command {

    @Override
    public String name() {
        return "plan";
    }

    @Override
    public String summary() {
        return "the task graph as a table: kernel, grid, FLOPs and bytes per task";
    }

    @Override
    public String usage() {
        return """
                Usage: vitornado plan --model PATH [--size HxW] [--batch B] [--profile [--iterations N] [--backend B] [--device N]]

                  --model PATH   checkpoint directory or .safetensors file (only its config is read): a ViT, a backbone
                                 or a segmenter; or a preset: timm's vit_{tiny,small,base,large,huge}_patch<P>_<size>,
                                 vitdet_b, vitdet_l, vitdet_h (detectron2's COCO ViTDet at 1024)
                  --size HxW     input size (default: the model's)
                  --batch B      images per execution (default 1)
                  --profile      run it (checkpoint weights, or random for a preset such as vit_base_patch16_224) and
                                 print each task's median kernel time, share and GFLOP/s on the chosen backend
                """;
    }

    @Override
    public int run(String[] argv, PrintStream out) {
        Set<String> options = new java.util.HashSet<>(Set.of("model", "size", "batch", "iterations"));
        options.addAll(ExecutionFlags.OPTIONS);
        Args args = Args.parse(name(), argv, options, Set.of("profile"));
        int batch = args.integer("batch", 1, 1);
        if (args.has("profile")) {
            return profile(args, batch, out);
        }
        String model = args.required("model");
        VitConfig vitPreset = Files.exists(Path.of(model)) ? null : VitConfigReader.timmPreset(model);
        Backbone backbone = vitPreset != null ? null : BackboneSource.find(model);
        if (backbone != null) {
            int[] size = args.size("size");
            int h = size == null ? backbone.imgH() : size[0];
            int w = size == null ? backbone.imgW() : size[1];
            BackboneSource.checkSize(backbone, h, w);
            try (FeatureMaps maps = backbone.plan(Tensors.placeholders(Path.of(args.required("model"))), batch, h, w, null)) {
                out.printf("%s%ninput %d x %dx%d -> outputs %s%n%n", backbone.describe(), batch, h, w, BackboneSource.shapes(maps));
                print(maps.graphs(), out);
            }
            return 0;
        }
        SegmentationModel segmenter = vitPreset != null ? null : BackboneSource.findSegmenter(model);
        if (segmenter != null) {
            int[] size = args.size("size");
            int h = size == null ? segmenter.imgH() : size[0];
            int w = size == null ? segmenter.imgW() : size[1];
            try (SegmentationPlan plan = segmenter.plan(Tensors.placeholders(Path.of(args.required("model"))), batch, h, w, null)) {
                out.printf("%s%ninput %d x %dx%d -> scores %d x %dx%d%n%n", segmenter.describe(), batch, h, w, segmenter.classes(), h, w);
                print(plan.graphs(), out);
            }
            return 0;
        }
        VitConfig c = vitPreset != null ? vitPreset : Checkpoint.read(Path.of(model)).vit();
        int[] size = args.size("size");
        int h = size == null ? c.imgH() : size[0];
        int w = size == null ? c.imgW() : size[1];
        VitPlan plan = VitModel.inspect(c, batch, h, w);
        out.printf("%s%ninput %d x %dx%d -> %d tokens of %d%n%n", c.describe(), batch, h, w, plan.tokens(), c.embedDim());
        print(plan.graphs(), out);
        return 0;
    }

    /**
     * {@code --profile}: runs the model (checkpoint or preset) and prints each task's median kernel time over
     * {@code --iterations} runs after one warm-up, with its share of the total and its FLOP rate.
     */
    private int profile(Args args, int batch, PrintStream out) {
        ExecutionOptions options = new ExecutionOptions(ExecutionFlags.from(args, true).backend(), args.integer("device", 0, 0), true);
        int iterations = args.integer("iterations", 5, 1);
        try (BenchTarget target = BenchTargets.open(args.required("model"))) {
            int[] size = args.size("size");
            int h = size == null ? target.defaultHeight() : size[0];
            int w = size == null ? target.defaultWidth() : size[1];
            float[] pixels = new float[batch * target.inChans() * h * w];
            java.util.Arrays.fill(pixels, 0.1f);
            try (ModelPlan compiled = target.compile(batch, h, w, options)) {
                compiled.run(pixels);
                Map<String, long[]> times = new LinkedHashMap<>();
                for (int i = 0; i < iterations; i++) {
                    compiled.run(pixels);
                    int run = i;
                    TaskProfile.kernelTimes(compiled.runner()).forEach((task, ns) -> times.computeIfAbsent(task, k -> new long[iterations])[run] = ns);
                }
                out.printf("%s%ninput %d x %dx%d on %s, median of %d runs%n%n", target.describe(), batch, h, w, PlanRunner.deviceName(options),
                        iterations);
                printProfile(compiled.tasks(), times, out);
            }
        }
        return 0;
    }

    static void printProfile(List<PlannedTask> tasks, Map<String, long[]> times, PrintStream out) {
        int nameWidth = Math.max(4, tasks.stream().mapToInt(t -> t.name().length()).max().orElse(4));
        int kernelWidth = Math.max(6, tasks.stream().mapToInt(t -> t.kernel().length()).max().orElse(6));
        String row = "%-" + nameWidth + "s  %-" + kernelWidth + "s  %10s  %7s  %10s%n";
        out.printf(row, "task", "kernel", "ms", "share", "GFLOP/s");
        double[] ms = new double[tasks.size()];
        double total = 0;
        for (int i = 0; i < tasks.size(); i++) {
            long[] t = times.get(tasks.get(i).graph() + "." + tasks.get(i).name());
            if (t != null) {
                long[] sorted = t.clone();
                java.util.Arrays.sort(sorted);
                ms[i] = sorted[sorted.length / 2] / 1e6;
            }
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
    static void print(List<PlannedGraph> graphs, PrintStream out) {
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
        for (PlannedGraph g : graphs) {
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
