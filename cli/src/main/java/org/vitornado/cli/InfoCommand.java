package org.vitornado.cli;

import java.util.Arrays;
import java.util.Map;
import java.util.StringJoiner;

import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.image.Preprocessing;
import org.vitornado.model.plan.ModelPlan;
import org.vitornado.model.source.ModelSource;
import org.vitornado.model.source.Presets;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.runtime.PlannedTask;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code info}: what a checkpoint or preset is, the check a user runs on a downloaded file. Every family; the
 * checkpoint's tensors are checked against the config (names and shapes, from the header only) exactly as loading
 * checks them, so a missing tensor or a mis-shaped qkv is reported here too.
 */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Architecture, parameters, FLOPs and preprocessing of a checkpoint or preset; checks its tensors.",
        footer = {"", "Presets (random weights): " + Presets.SUMMARY})
final class InfoCommand extends CliCommand {

    @Option(names = "--model", required = true, paramLabel = "PATH|PRESET",
            description = "a checkpoint directory (model.safetensors + config.json), a .safetensors file next to its config, or a preset")
    String model;

    @Override
    public Integer call() {
        try (ModelSource source = ModelSource.open(model)) {
            int checked = source.validate();
            var out = out();
            if (source.isPreset()) {
                out.printf("model        preset '%s' (random weights; no checkpoint)%n", model);
            } else {
                out.printf("model        %s%n", source.files().weights());
                out.printf("config       %s%n", source.files().config());
            }
            out.printf("kind         %s%n", source.kind().name().toLowerCase());
            out.printf("architecture %s%n", source.describe());
            try (ModelPlan plan = source.inspect(1, source.imgH(), source.imgW())) {
                if (plan instanceof VitPlan vit) {
                    VitConfig c = source.vit();
                    out.printf("tokens       %d (%dx%d patches%s)%n", vit.tokens(), vit.gridH(), vit.gridW(), c.classToken() ? " + class token" : "");
                    out.printf("layer norm   eps %s%n", c.eps());
                }
                if (source.isPreset()) {
                    out.printf("parameters   %,d%n", source.parameters());
                } else {
                    long values = 0;
                    for (String n : source.checkpoint().names()) {
                        values += source.checkpoint().info(n).elementCount();
                    }
                    out.printf("parameters   %,d (checkpoint holds %,d values in %d tensors; %d checked against the config)%n", source.parameters(), values,
                            source.checkpoint().names().size(), checked);
                }
                long flops = plan.tasks().stream().mapToLong(t -> t.cost().flops()).sum();
                out.printf("FLOPs/image  %.3f GFLOP at %dx%d (%d kernel tasks in %d task graph%s)%n", flops / 1e9, source.imgH(), source.imgW(),
                        plan.tasks().size(), plan.graphs().size(), plan.graphs().size() == 1 ? "" : "s");
                if (plan instanceof FeatureMaps maps) {
                    out.printf("outputs      %s%n", shapes(maps.shapes()));
                }
                out.printf("kernels      %d distinct%n", plan.tasks().stream().map(PlannedTask::kernel).distinct().count());
            }
            Preprocessing pre = source.preprocessing();
            if (source.detr() != null) {
                out.printf("input        DETR's resize (shorter side %d, longer at most %d) with PIL bilinear, /255, ImageNet mean and std; a batch is "
                        + "zero-padded to its largest image, the padding masked%n", org.vitornado.model.detr.DetrInput.SHORT_SIDE,
                        org.vitornado.model.detr.DetrInput.MAX_SIZE);
            } else if (source.detector() != null) {
                var in = source.detector().input();
                out.printf("input        ResizeShortestEdge(%d, max %d) with PIL bilinear, %s, mean %s, std %s, zero-padded to %dx%d%n", in.shortEdge(),
                        in.maxSize(), in.format(), Arrays.toString(in.pixelMean()), Arrays.toString(in.pixelStd()), source.imgH(), source.imgW());
            } else {
                out.printf("input        %dx%d, %s resize%s, mean %s, std %s%n", pre.height(), pre.width(), pre.interpolation().name().toLowerCase(),
                        pre.exactResize() ? "" : String.format(" + centre crop %.3f", pre.cropPct()), Arrays.toString(pre.mean()),
                        Arrays.toString(pre.std()));
            }
            if (source.classes() > 0) {
                out.printf("labels       %s%n", source.labels().isEmpty() ? source.classes() + " classes, no names (class numbers)"
                        : source.labels().size() + " names, e.g. " + source.label(0));
            }
        } catch (java.io.IOException e) {
            throw new org.vitornado.model.io.ModelException(e.getMessage(), e);
        }
        return Main.OK;
    }

    /** {@code p2 256x256x256, ...}: channels x height x width of every output. */
    static String shapes(Map<String, int[]> shapes) {
        StringJoiner j = new StringJoiner(", ");
        for (Map.Entry<String, int[]> e : shapes.entrySet()) {
            int[] s = e.getValue();
            j.add(e.getKey() + " " + s[0] + "x" + s[1] + "x" + s[2]);
        }
        return j.toString();
    }
}
