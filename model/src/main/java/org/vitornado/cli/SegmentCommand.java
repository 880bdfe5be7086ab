package org.vitornado.cli;

import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.imageio.ImageIO;

import org.vitornado.model.image.ImageReader;
import org.vitornado.model.image.Interpolation;
import org.vitornado.model.image.Planar;
import org.vitornado.model.image.Preprocessing;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.ModelFiles;
import org.vitornado.model.io.TensorLoader;
import org.vitornado.model.segmentation.SegmentationImages;
import org.vitornado.model.segmentation.SegmentationInference;
import org.vitornado.model.segmentation.SegmentationModel;
import org.vitornado.model.segmentation.SegmentationModels;
import org.vitornado.model.vit.VitConfigReader;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.weights.SafetensorsFile;

import com.google.gson.JsonObject;

/**
 * {@code segment}: semantic segmentation of images. For each image, {@code DIR/NAME.classes.png} (pixel = class index)
 * and {@code DIR/NAME.overlay.png} (class colours over the image); once, {@code DIR/legend.png}. Never overwrites.
 */
final class SegmentCommand implements Command {

    @Override
    public String name() {
        return "segment";
    }

    @Override
    public String summary() {
        return "semantic segmentation: class-index PNG, colour overlay and legend per image";
    }

    @Override
    public String usage() {
        return """
                Usage: vitornado segment --model PATH --image FILE... --out DIR [--classes K,...] [--mode whole|slide]
                                         [--size HxW] [--window HxW] [--stride HxW] [--backend jvm|tornado] [--device N]

                  --model PATH    a segmenter: DEPICT Segmenter (NAME.json of constructor arguments), SegFormer
                                  (segmentation_models_pytorch or Hugging Face config.json), SETR (mmsegmentation
                                  config dumped as JSON), or a ViT config with "segmentation_head": "linear"
                  --image FILE..  one or more images (PNG, JPEG, BMP, GIF)
                  --out DIR       created if needed; the files written there must not exist yet
                  --classes K,..  draw only these classes in the overlay and legend (indexes or label names)
                  --mode whole    resize the image to --size (default: the model's), segment, resize scores back (default)
                  --mode slide    mmseg's sliding window over the image at its own size: --window (default: the
                                  model's size) every --stride (default: 2/3 of the window), overlapping scores averaged
                Normalisation: the checkpoint's (preprocessor_config.json, timm pretrained_cfg, mmseg data_preprocessor,
                or "mean"/"std" in the config), else ImageNet's. Labels: id2label or label_names of the config, else class numbers.
                """ + ExecutionFlags.USAGE;
    }

    @Override
    public int run(String[] argv, PrintStream out) throws Exception {
        Set<String> accepted = new HashSet<>(Set.of("model", "image", "out", "classes", "mode", "size", "window", "stride"));
        accepted.addAll(ExecutionFlags.OPTIONS);
        Args args = Args.parse(name(), argv, accepted, Set.of());
        ModelFiles files = ModelFiles.locate(Path.of(args.required("model")));
        JsonObject config = Json.readObject(files.config());
        if (!SegmentationModels.isSegmentation(config)) {
            throw new ModelException(files.config() + ": not a segmentation model (DEPICT Segmenter, SegFormer, or a ViT config "
                    + "with \"segmentation_head\": \"linear\")");
        }
        SegmentationModel model = SegmentationModels.read(config, files.config());
        Map<Integer, String> labels = VitConfigReader.labels(config, files.config());
        float[][] norm = Normalisation.of(config, files);
        String mode = args.get("mode", "whole");
        if (!mode.equals("whole") && !mode.equals("slide")) {
            throw new UsageException("--mode must be whole or slide, got '" + mode + "'");
        }
        int[] size = args.size("size");
        int[] window = args.size("window");
        int[] stride = args.size("stride");
        if (window == null) {
            window = new int[] {model.imgH(), model.imgW()};
        }
        if (stride == null) {
            stride = new int[] {Math.max(1, window[0] * 2 / 3), Math.max(1, window[1] * 2 / 3)};
        }
        Set<Integer> shown = parseClasses(args.has("classes") ? args.get("classes", "") : null, labels, model.classes());

        List<String> images = args.all("image");
        if (images.isEmpty()) {
            throw new UsageException(name() + ": --image is required");
        }
        Path dir = Path.of(args.required("out"));
        List<Path[]> targets = new ArrayList<>();
        Set<Path> seen = new HashSet<>();
        for (String image : images) {
            String stem = Path.of(image).getFileName().toString().replaceFirst("\\.[^.]*$", "");
            Path[] t = {dir.resolve(stem + ".classes.png"), dir.resolve(stem + ".overlay.png")};
            for (Path p : t) {
                if (!seen.add(p)) {
                    throw new UsageException("two images would both write " + p + ": give them different names");
                }
            }
            targets.add(t);
        }
        Path legendFile = dir.resolve("legend.png");
        for (Path p : seen.stream().toList()) {
            refuseExisting(p);
        }
        refuseExisting(legendFile);
        // Decode everything first: a bad image fails before the model is loaded.
        List<Planar> decoded = new ArrayList<>();
        for (String image : images) {
            decoded.add(ImageReader.readRgb(Path.of(image)));
        }
        Files.createDirectories(dir);

        ExecutionOptions options = ExecutionFlags.announced(args, out);
        Set<Integer> present = new TreeSet<>();
        try (SafetensorsFile file = SafetensorsFile.open(files.weights());
                SegmentationInference inference = new SegmentationInference(model, new TensorLoader(file), options)) {
            for (int i = 0; i < decoded.size(); i++) {
                long t0 = System.nanoTime();
                Planar rgb = decoded.get(i);
                int h = rgb.height();
                int w = rgb.width();
                float[] scores;
                if (mode.equals("whole")) {
                    int mh = size == null ? model.imgH() : size[0];
                    int mw = size == null ? model.imgW() : size[1];
                    float[] pixels = new Preprocessing(mh, mw, 1.0, true, Interpolation.BILINEAR, norm[0], norm[1]).apply(rgb);
                    scores = SegmentationInference.resize(inference.whole(pixels, mh, mw), model.classes(), mh, mw, h, w);
                } else {
                    float[] pixels = new Preprocessing(h, w, 1.0, true, Interpolation.BILINEAR, norm[0], norm[1]).apply(rgb);
                    scores = inference.slide(pixels, h, w, window[0], window[1], stride[0], stride[1]);
                }
                int[] classes = SegmentationInference.argmax(scores, model.classes(), h * w);
                Set<Integer> here = new TreeSet<>();
                for (int k : classes) {
                    here.add(k);
                }
                present.addAll(here);
                ImageIO.write(SegmentationImages.classIndex(classes, h, w, model.classes()), "png", targets.get(i)[0].toFile());
                ImageIO.write(SegmentationImages.overlay(rgb, classes, shown), "png", targets.get(i)[1].toFile());
                out.printf("[%d/%d] %s (%dx%d, %s): %s, %s in %.2f s; classes %s%n", i + 1, images.size(), images.get(i), w, h, mode,
                        targets.get(i)[0].getFileName(), targets.get(i)[1].getFileName(), (System.nanoTime() - t0) / 1e9, here);
            }
        }
        List<Integer> legend = new ArrayList<>(shown != null ? new TreeSet<>(shown) : present);
        ImageIO.write(SegmentationImages.legend(legend, labels), "png", legendFile.toFile());
        out.println("wrote " + legendFile + " (" + legend.size() + " classes)");
        return 0;
    }

    private static void refuseExisting(Path p) throws FileAlreadyExistsException {
        if (Files.exists(p)) {
            throw new FileAlreadyExistsException(p + " exists: choose another --out (nothing is overwritten)");
        }
    }

    /** {@code --classes 3,road}: indexes or label names; {@code null} for every class. */
    static Set<Integer> parseClasses(String spec, Map<Integer, String> labels, int classes) {
        if (spec == null) {
            return null;
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (String part : spec.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            Integer k = null;
            if (s.matches("\\d+")) {
                k = Integer.parseInt(s);
            } else {
                for (var e : labels.entrySet()) {
                    if (e.getValue().equalsIgnoreCase(s)) {
                        k = e.getKey();
                    }
                }
            }
            if (k == null || k >= classes) {
                throw new UsageException("--classes: '" + s + "' is not a class of this model (0.." + (classes - 1)
                        + (labels.isEmpty() ? "" : " or a label name") + ")");
            }
            out.add(k);
        }
        return out;
    }
}
