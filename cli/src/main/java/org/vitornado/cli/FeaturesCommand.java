package org.vitornado.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.imageio.ImageIO;

import org.vitornado.api.FeatureTensor;
import org.vitornado.api.Options;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.model.features.PcaImage;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.source.Presets;
import org.vitornado.weights.SafetensorsWriter;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code features}: runs a backbone (ViTDet with its feature pyramid, the SAM encoder) or a ViT without a head on
 * images and writes, per image, every output to {@code DIR/NAME.features.safetensors} (NCHW, batch 1) and each map
 * as {@code DIR/NAME.MAP.png} (its first three principal components as RGB), so a user can look at what the backbone
 * sees. Outputs are checked before the model runs, never overwritten, written whole or not at all.
 */
@Command(name = "features", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Backbone feature maps (ViTDet pyramid, SAM encoder) as safetensors and PNGs, per image.",
        footer = {"", "Presets (random weights): " + Presets.SUMMARY})
final class FeaturesCommand extends CliCommand {

    @Option(names = "--model", required = true, paramLabel = "PATH|PRESET",
            description = "a ViTDet (detectron2 ViT + SimpleFeaturePyramid) or SAM-encoder (timm) checkpoint, a ViT without a head, or a preset (vitdet_b, ...)")
    String model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "created if needed; the files written there must not exist yet")
    Path out;

    @Option(names = "--size", paramLabel = "HxW", converter = Size.Converter.class, description = "input size (default: the model's)")
    Size size;

    @Option(names = "--skip-existing", description = "skip images whose outputs exist (resume an interrupted run)")
    boolean skipExisting;

    @Mixin
    ImageRun images;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws IOException {
        List<Path> files = images.files();
        Set<String> stems = new HashSet<>();
        for (Path f : files) {
            if (!stems.add(ImageFiles.stem(f))) {
                throw new ModelException("two images are named " + ImageFiles.stem(f) + ": give them different names, or use different --out folders");
            }
        }
        Options options = size == null ? run.options(1) : run.options(1).size(size.height(), size.width());
        try (VisionModel m = images.open(model, options, Task.FEATURES, name(), err())) {
            // The outputs are known once the model is compiled, before any image runs: check every file now.
            m.prepare();
            List<String> maps = m.outputShapes().entrySet().stream().filter(e -> e.getValue().length == 3).map(Map.Entry::getKey).toList();
            if (!skipExisting) {
                for (Path f : files) {
                    for (Path p : outputs(f, maps)) {
                        OutputFiles.requireAbsent(p);
                    }
                }
            }
            Files.createDirectories(out);
            OutputFiles.removeStaleTemporaries(out);
            out().println("running on " + m.device());
            Progress bar = new Progress(err(), images.progress, "images", files.size());
            for (Path f : files) {
                List<Path> targets = outputs(f, maps);
                if (skipExisting && targets.stream().allMatch(Files::exists)) {
                    bar.advance();
                    continue;
                }
                RgbImage rgb = images.read(f);
                if (rgb == null) {
                    bar.advance();
                    continue;
                }
                Map<String, FeatureTensor> features = m.features(rgb);
                write(f, features);
                bar.advance();
            }
            bar.finish();
        }
        return images.exitCode();
    }

    private List<Path> outputs(Path image, List<String> maps) {
        String stem = ImageFiles.stem(image);
        List<Path> out = new ArrayList<>(List.of(this.out.resolve(stem + ".features.safetensors")));
        for (String map : maps) {
            out.add(this.out.resolve(stem + "." + map + ".png"));
        }
        return out;
    }

    private void write(Path image, Map<String, FeatureTensor> features) throws IOException {
        String stem = ImageFiles.stem(image);
        SafetensorsWriter writer = new SafetensorsWriter().metadata("source", image.getFileName().toString());
        for (FeatureTensor t : features.values()) {
            long[] shape = new long[t.shape().length + 1];
            shape[0] = 1;
            for (int i = 0; i < t.shape().length; i++) {
                shape[i + 1] = t.shape()[i];
            }
            writer.add(t.name(), t.values(), shape);
        }
        Path tensors = out.resolve(stem + ".features.safetensors");
        OutputFiles.writeFile(tensors, skipExisting, file -> writer.write(file, true));
        out().println("wrote " + tensors);
        for (FeatureTensor t : features.values()) {
            if (t.shape().length != 3) {
                continue;
            }
            Path png = out.resolve(stem + "." + t.name() + ".png");
            int[] s = t.shape();
            var picture = PcaImage.render(t.values(), s[0], s[1], s[2], 128);
            OutputFiles.write(png, skipExisting, o -> ImageIO.write(picture, "png", o));
            out().printf("wrote %s (%d channels, %dx%d)%n", png, s[0], s[1], s[2]);
        }
    }
}
