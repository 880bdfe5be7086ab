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
import org.vitornado.runtime.PlannedTask;
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
                Usage: vitornado plan --model PATH [--size HxW] [--batch B]

                  --model PATH   checkpoint directory or .safetensors file (only its config is read): a ViT, a backbone
                                 or a segmenter; or a backbone
                                 preset: vitdet_b, vitdet_l, vitdet_h (detectron2's COCO ViTDet at 1024)
                  --size HxW     input size (default: the model's)
                  --batch B      images per execution (default 1)
                """;
    }

    @Override
    public int run(String[] argv, PrintStream out) {
        Args args = Args.parse(name(), argv, Set.of("model", "size", "batch"), Set.of());
        int batch = args.integer("batch", 1, 1);
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
