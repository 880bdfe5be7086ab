package org.vitornado.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.vitornado.model.Checkpoint;
import org.vitornado.model.backbone.Backbone;
import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.segmentation.SegmentationModel;
import org.vitornado.model.segmentation.SegmentationPlan;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitModel;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.model.bench.BenchTarget;
import org.vitornado.model.bench.BenchTargets;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanRunner;
import org.vitornado.runtime.PlannedTask;
import org.vitornado.runtime.TaskProfile;
import java.util.LinkedHashMap;
import java.util.Map;
import org.vitornado.runtime.TaskCost;

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
                                 or a segmenter; or a backbone
                                 preset: vitdet_b, vitdet_l, vitdet_h (detectron2's COCO ViTDet at 1024)
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
        Backbone backbone = BackboneSource.find(args.required("model"));
        if (backbone != null) {
            int[] size = args.size("size");
            int h = size == null ? backbone.imgH() : size[0];
            int w = size == null ? backbone.imgW() : size[1];
            BackboneSource.checkSize(backbone, h, w);
            try (FeatureMaps maps = backbone.plan(Tensors.placeholders(Path.of(args.required("model"))), batch, h, w, null)) {
                out.printf("%s%ninput %d x %dx%d -> outputs %s%n%n", backbone.describe(), batch, h, w, BackboneSource.shapes(maps));
                print(maps.tasks(), out);
            }
            return 0;
        }
        SegmentationModel segmenter = BackboneSource.findSegmenter(args.required("model"));
        if (segmenter != null) {
            int[] size = args.size("size");
            int h = size == null ? segmenter.imgH() : size[0];
            int w = size == null ? segmenter.imgW() : size[1];
            try (SegmentationPlan plan = segmenter.plan(Tensors.placeholders(Path.of(args.required("model"))), batch, h, w, null)) {
                out.printf("%s%ninput %d x %dx%d -> scores %d x %dx%d%n%n", segmenter.describe(), batch, h, w, segmenter.classes(), h, w);
                print(plan.tasks(), out);
            }
            return 0;
        }
        Checkpoint ckpt = Checkpoint.read(Path.of(args.required("model")));
        VitConfig c = ckpt.vit();
        int[] size = args.size("size");
        int h = size == null ? c.imgH() : size[0];
        int w = size == null ? c.imgW() : size[1];
        VitPlan plan = VitModel.inspect(c, batch, h, w);
        out.printf("%s%ninput %d x %dx%d -> %d tokens of %d; graph '%s'%n%n", c.describe(), batch, h, w, plan.tokens(), c.embedDim(),
                plan.tasks().isEmpty() ? "" : plan.tasks().get(0).graph());
        print(plan.tasks(), out);
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
            try (BenchTarget.Compiled compiled = target.compile(batch, h, w, options)) {
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

    static void print(List<PlannedTask> tasks, PrintStream out) {
        int nameWidth = Math.max(4, tasks.stream().mapToInt(t -> t.name().length()).max().orElse(4));
        int kernelWidth = Math.max(6, tasks.stream().mapToInt(t -> t.kernel().length()).max().orElse(6));
        int gridWidth = Math.max(4, tasks.stream().mapToInt(t -> t.gridDescription().length()).max().orElse(4));
        String row = "%-" + nameWidth + "s  %-" + kernelWidth + "s  %-" + gridWidth + "s  %12s  %12s  %12s%n";
        out.printf(row, "task", "kernel", "grid", "MFLOP", "read MB", "written MB");
        TaskCost total = TaskCost.ZERO;
        for (PlannedTask t : tasks) {
            out.printf(row, t.name(), t.kernel(), t.gridDescription(), mega(t.cost().flops()),
                    mega(t.cost().bytesRead()), mega(t.cost().bytesWritten()));
            total = total.plus(t.cost());
        }
        out.printf(row, "total (" + tasks.size() + ")", "", "", mega(total.flops()), mega(total.bytesRead()), mega(total.bytesWritten()));
    }

    private static String mega(long v) {
        return String.format("%.3f", v / 1e6);
    }
}
