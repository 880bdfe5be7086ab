package org.vitornado.cli;

import java.io.PrintStream;
import java.util.Set;

import org.vitornado.model.Checkpoint;
import org.vitornado.model.backbone.Backbone;
import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.io.ModelFiles;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitModel;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.model.vit.VitWeights;
import org.vitornado.runtime.PlannedTask;
import org.vitornado.weights.SafetensorsFile;

/** {@code info}: what a checkpoint is, the check a user runs on a downloaded file. */
final class InfoCommand implements Command {

    @Override
    public String name() {
        return "info";
    }

    @Override
    public String summary() {
        return "architecture, parameter count and FLOPs of a checkpoint";
    }

    @Override
    public String usage() {
        return """
                Usage: vitornado info --model PATH

                  --model PATH   a directory with model.safetensors + config.json, or a .safetensors file next to its config,
                                 or a backbone preset (vitdet_b, vitdet_l, vitdet_h)
                """;
    }

    @Override
    public int run(String[] argv, PrintStream out) throws Exception {
        Args args = Args.parse(name(), argv, Set.of("model"), Set.of());
        Backbone backbone = BackboneSource.find(args.required("model"));
        if (backbone != null) {
            return backboneInfo(backbone, args.required("model"), out);
        }
        Checkpoint ckpt = Checkpoint.read(java.nio.file.Path.of(args.required("model")));
        VitConfig c = ckpt.vit();
        long declared;
        int tensors;
        try (SafetensorsFile file = SafetensorsFile.open(ckpt.files().weights())) {
            tensors = file.names().size();
            declared = 0;
            for (String n : file.names()) {
                declared += file.info(n).elementCount();
            }
        }
        VitPlan plan = VitModel.inspect(c, 1, c.imgH(), c.imgW());
        long flops = plan.tasks().stream().mapToLong(t -> t.cost().flops()).sum();
        out.printf("model        %s%n", ckpt.files().weights());
        out.printf("config       %s%n", ckpt.files().config());
        out.printf("architecture %s%n", c.describe());
        out.printf("tokens       %d (%dx%d patches%s)%n", plan.tokens(), plan.gridH(), plan.gridW(), c.classToken() ? " + class token" : "");
        out.printf("layer norm   eps %s%n", c.eps());
        out.printf("parameters   %,d (checkpoint holds %,d values in %d tensors)%n", VitWeights.parameterCount(c), declared, tensors);
        out.printf("FLOPs/image  %.3f GFLOP at %dx%d (%d kernel tasks)%n", flops / 1e9, c.imgH(), c.imgW(), plan.tasks().size());
        out.printf("input        %dx%d, %s resize%s, mean %s, std %s%n", ckpt.preprocessing().height(), ckpt.preprocessing().width(),
                ckpt.preprocessing().interpolation().name().toLowerCase(),
                ckpt.preprocessing().exactResize() ? "" : String.format(" + centre crop %.3f", ckpt.preprocessing().cropPct()),
                java.util.Arrays.toString(ckpt.preprocessing().mean()), java.util.Arrays.toString(ckpt.preprocessing().std()));
        out.printf("labels       %s%n", ckpt.labels().isEmpty() ? "none (class numbers)" : ckpt.labels().size() + " names");
        int kernels = (int) plan.tasks().stream().map(PlannedTask::kernel).distinct().count();
        out.printf("kernels      %d distinct%n", kernels);
        return 0;
    }

    private static int backboneInfo(Backbone b, String model, PrintStream out) throws java.io.IOException {
        out.printf("architecture %s%n", b.describe());
        java.nio.file.Path path = java.nio.file.Path.of(model);
        if (java.nio.file.Files.exists(path)) {
            ModelFiles files = ModelFiles.locate(path);
            try (SafetensorsFile file = SafetensorsFile.open(files.weights())) {
                long values = 0;
                for (String n : file.names()) {
                    values += file.info(n).elementCount();
                }
                out.printf("model        %s%nconfig       %s%n", files.weights(), files.config());
                out.printf("parameters   checkpoint holds %,d values in %d tensors%n", values, file.names().size());
            }
        } else {
            out.printf("model        preset '%s' (random weights; no checkpoint)%n", model);
        }
        try (FeatureMaps maps = b.plan(Tensors.placeholders(path), 1, b.imgH(), b.imgW(), null)) {
            long flops = maps.tasks().stream().mapToLong(t -> t.cost().flops()).sum();
            out.printf("FLOPs/image  %.3f GFLOP at %dx%d (%d kernel tasks)%n", flops / 1e9, b.imgH(), b.imgW(), maps.tasks().size());
            out.printf("outputs      %s%n", BackboneSource.shapes(maps));
            out.printf("kernels      %d distinct%n", maps.tasks().stream().map(PlannedTask::kernel).distinct().count());
        }
        return 0;
    }
}
