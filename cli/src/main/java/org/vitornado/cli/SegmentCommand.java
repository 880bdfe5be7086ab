package org.vitornado.cli;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.imageio.ImageIO;

import org.vitornado.api.ClassMap;
import org.vitornado.api.Options;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.model.image.Planar;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.segmentation.SegmentationImages;
import org.vitornado.model.source.Presets;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code segment}: semantic segmentation of images. For each image, {@code DIR/NAME.classes.png} (pixel = class index)
 * and {@code DIR/NAME.overlay.png} (class colours over the image); at the end, {@code DIR/legend.png}. Outputs are
 * checked before the model loads, never overwritten, and written whole or not at all; {@code --skip-existing}
 * resumes an interrupted run.
 */
@Command(name = "segment", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Semantic segmentation: a class-index PNG and a colour overlay per image, and a legend.",
        footer = {"", "Presets (random weights): " + Presets.SUMMARY, "", "Normalisation: the checkpoint's (preprocessor_config.json, timm pretrained_cfg, mmseg data_preprocessor, or \"mean\"/\"std\" "
                + "in the config), else ImageNet's. Labels: id2label or label_names of the config, else class numbers."})
final class SegmentCommand extends CliCommand {

    @Option(names = "--model", required = true, paramLabel = "PATH|PRESET",
            description = "a segmenter: DEPICT Segmenter, SegFormer (segmentation_models_pytorch or Hugging Face), SETR (mmsegmentation config as JSON), "
                    + "a ViT config with \"segmentation_head\": \"linear\"; or the preset segformer_b0")
    String model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "created if needed; the files written there must not exist yet")
    Path out;

    @Mixin
    SegmentOptions segment;

    @Option(names = "--skip-existing", description = "skip images whose outputs exist (resume an interrupted run); the legend is rewritten")
    boolean skipExisting;

    @Option(names = "--json", description = "one JSON object per image on stdout ({\"file\", \"classes_png\", \"overlay_png\", \"classes\"}) instead of text")
    boolean json;

    @Mixin
    ImageRun images;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws IOException {
        String invalid = segment.invalid();
        if (invalid != null) {
            throw usage(invalid);
        }
        // Everything about the outputs is checked before the model loads.
        List<Path> files = images.files();
        List<Path[]> targets = OutputFiles.targets(files, out, skipExisting, "segment", ".classes.png", ".overlay.png");
        Path legendFile = out.resolve("legend.png");
        if (!skipExisting) {
            OutputFiles.requireAbsent(legendFile);
        }
        Set<Integer> present = new TreeSet<>();
        int skipped = 0;
        Options options = segment.size == null ? run.options(1) : run.options(1).size(segment.size.height(), segment.size.width());
        try (VisionModel m = images.open(model, options, Task.SEGMENTATION, name(), err())) {
            Set<Integer> shown = parseClasses(segment.classes, m.labels(), m.classes());
            if (!segment.slide()) {
                m.prepare();
            }
            Files.createDirectories(out);
            OutputFiles.removeStaleTemporaries(out);
            int[] modelSize = m.configuredSize();
            Size win = segment.window(modelSize);
            Size step = segment.stride(win);
            (json ? err() : out()).println("running on " + m.device());
            Progress bar = new Progress(err(), images.progress, "images", files.size());
            for (int i = 0; i < files.size(); i++) {
                Path image = files.get(i);
                Path[] t = targets.get(i);
                if (skipExisting && Files.exists(t[0]) && Files.exists(t[1])) {
                    present.addAll(classesIn(t[0]));
                    skipped++;
                    bar.advance();
                    continue;
                }
                long t0 = System.nanoTime();
                RgbImage rgb = images.read(image);
                if (rgb == null) {
                    bar.advance();
                    continue;
                }
                ClassMap map = !segment.slide() ? m.segment(rgb)
                        : m.segmentSliding(rgb, win.height(), win.width(), step.height(), step.width(),
                                (done, total) -> bar.within("window " + done + "/" + total));
                Set<Integer> here = map.present();
                present.addAll(here);
                BufferedImage classPng = SegmentationImages.classIndex(map.classes(), map.height(), map.width(), m.classes());
                BufferedImage overlay = SegmentationImages.overlay(new Planar(3, rgb.height(), rgb.width(), rgb.rgb()), map.classes(), shown);
                OutputFiles.write(t[0], skipExisting, o -> ImageIO.write(classPng, "png", o));
                OutputFiles.write(t[1], skipExisting, o -> ImageIO.write(overlay, "png", o));
                if (json) {
                    JsonObject o = new JsonObject();
                    o.addProperty("file", image.toString());
                    o.addProperty("classes_png", t[0].toString());
                    o.addProperty("overlay_png", t[1].toString());
                    JsonArray ks = new JsonArray();
                    here.forEach(ks::add);
                    o.add("classes", ks);
                    out().println(o);
                } else {
                    out().printf("[%d/%d] %s (%dx%d, %s): %s, %s in %.2f s; classes %s%n", i + 1, files.size(), image, rgb.width(), rgb.height(), segment.mode,
                            t[0].getFileName(), t[1].getFileName(), (System.nanoTime() - t0) / 1e9, here);
                }
                out().flush();
                bar.advance();
            }
            bar.finish();
            List<Integer> legend = new ArrayList<>(shown != null ? new TreeSet<>(shown) : present);
            BufferedImage legendPng = SegmentationImages.legend(legend, m.labels());
            OutputFiles.write(legendFile, skipExisting, o -> ImageIO.write(legendPng, "png", o));
            (json ? err() : out()).println("wrote " + legendFile + " (" + legend.size() + " classes)" + (skipped > 0 ? "; " + skipped + " images had their outputs already" : ""));
        }
        return images.exitCode();
    }

    /** The classes in a class-index PNG this command wrote earlier (for the legend of a resumed run). */
    private static Set<Integer> classesIn(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        Set<Integer> out = new TreeSet<>();
        if (img == null) {
            return out;
        }
        Raster r = img.getRaster();
        int[] row = new int[img.getWidth()];
        for (int y = 0; y < img.getHeight(); y++) {
            r.getSamples(0, y, img.getWidth(), 1, 0, row);
            for (int v : row) {
                out.add(v);
            }
        }
        return out;
    }

}
