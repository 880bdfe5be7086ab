package org.vitornado.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import javax.imageio.ImageIO;

import org.vitornado.model.backbone.Backbone;
import org.vitornado.model.backbone.Backbones;
import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.features.PcaImage;
import org.vitornado.model.image.ImageReader;
import org.vitornado.model.image.Interpolation;
import org.vitornado.model.image.Preprocessing;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.ModelFiles;
import org.vitornado.model.io.TensorLoader;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.weights.SafetensorsFile;
import org.vitornado.weights.SafetensorsWriter;

import com.google.gson.JsonObject;

/**
 * {@code features}: runs a backbone (ViTDet with its feature pyramid, or the SAM encoder) on an image and writes
 * every feature map to {@code DIR/features.safetensors} (NCHW) and as a PNG per map (first three principal
 * components as RGB), so a user can look at what the backbone sees. Never overwrites.
 */
final class FeaturesCommand implements Command {

    @Override
    public String name() {
        return "features";
    }

    @Override
    public String summary() {
        return "backbone feature maps (ViTDet pyramid, SAM encoder) as safetensors and PNGs";
    }

    @Override
    public String usage() {
        return """
                Usage: vitornado features --model PATH --image FILE --out DIR [--backend jvm|tornado] [--device N]

                  --model PATH   a ViTDet (detectron2 ViT + SimpleFeaturePyramid) or SAM-encoder (timm) checkpoint:
                                 NAME.safetensors next to NAME.json of constructor arguments, or a directory with
                                 model.safetensors and config.json of that form
                  --image FILE   the image; resized to the model's input size, normalised with the config's mean/std
                                 ("mean"/"std", mmseg data_preprocessor, timm pretrained_cfg), else ImageNet's
                  --out DIR      created if needed; DIR/features.safetensors and DIR/<map>.png must not exist yet
                """ + ExecutionFlags.USAGE;
    }

    @Override
    public int run(String[] argv, PrintStream out) throws IOException {
        Set<String> accepted = new HashSet<>(Set.of("model", "image", "out"));
        accepted.addAll(ExecutionFlags.OPTIONS);
        Args args = Args.parse(name(), argv, accepted, Set.of());
        ModelFiles files = ModelFiles.locate(Path.of(args.required("model")));
        Path dir = Path.of(args.required("out"));
        JsonObject config = Json.readObject(files.config());

        if (!Backbones.isBackbone(config)) {
            throw new ModelException(files.config() + ": features needs a ViTDet or SAM-encoder config");
        }
        Backbone backbone = Backbones.read(config, files.config());
        float[][] norm = Normalisation.of(config, files);
        float[] pixels = new Preprocessing(backbone.imgH(), backbone.imgW(), 1.0, true, Interpolation.BILINEAR, norm[0], norm[1])
                .apply(ImageReader.readRgb(Path.of(args.required("image"))));

        ExecutionOptions options = ExecutionFlags.announced(args, out);
        Map<String, float[]> maps;
        Map<String, int[]> shapes;
        try (SafetensorsFile file = SafetensorsFile.open(files.weights());
                FeatureMaps plan = backbone.plan(new TensorLoader(file), 1, backbone.imgH(), backbone.imgW(), options)) {
            plan.run(pixels);
            maps = plan.outputs();
            shapes = plan.shapes();
        }

        Files.createDirectories(dir);
        Path tensorsOut = dir.resolve("features.safetensors");
        for (Path p : new java.util.ArrayList<>(maps.keySet().stream().map(k -> dir.resolve(k + ".png")).toList())) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p + " exists: choose another --out (nothing is overwritten)");
            }
        }
        SafetensorsWriter writer = new SafetensorsWriter().metadata("source", files.weights().getFileName().toString());
        for (var e : maps.entrySet()) {
            int[] s = shapes.get(e.getKey());
            writer.add(e.getKey(), e.getValue(), 1, s[0], s[1], s[2]);
        }
        writer.write(tensorsOut, false);
        out.println("wrote " + tensorsOut);
        for (var e : maps.entrySet()) {
            int[] s = shapes.get(e.getKey());
            Path png = dir.resolve(e.getKey() + ".png");
            ImageIO.write(PcaImage.render(e.getValue(), s[0], s[1], s[2], 128), "png", png.toFile());
            out.printf("wrote %s (%d channels, %dx%d)%n", png, s[0], s[1], s[2]);
        }
        return 0;
    }
}
