package org.vitornado.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.imageio.ImageIO;

import org.vitornado.api.DetectedObject;
import org.vitornado.api.Detections;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.source.Presets;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code detect}: object detection and instance segmentation. For each image, {@code DIR/NAME.detections.json}
 * (COCO results: {@code bbox} as x, y, width, height in the image's pixels, {@code score}, {@code category_id},
 * {@code category_name}, and with {@code --masks} the mask as COCO RLE) and {@code DIR/NAME.overlay.png} (masks,
 * boxes and labels over the image). Outputs are checked before the model loads, never overwritten, and written
 * whole or not at all; {@code --skip-existing} resumes an interrupted run.
 */
@Command(name = "detect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Object detection (ViTDet Mask R-CNN with instance masks, DETR): a COCO-results JSON and an overlay PNG per image.",
        footer = {"", "Presets (random weights): " + Presets.SUMMARY, "",
            "Images are resized as detectron2 does at test time (ResizeShortestEdge, then padded to the square input), or for DETR as DETR "
                    + "does (shorter side 800, longer at most 1333; a batch padded to its largest image, the padding masked); boxes and masks come "
                    + "back in the image's own pixels. category_id is the config's category_ids entry (COCO's ids for a converted COCO model), "
                    + "else the class index (DETR's COCO models use COCO's ids directly)."})
final class DetectCommand extends CliCommand {

    @Option(names = "--model", required = true, paramLabel = "PATH|PRESET",
            description = "a detectron2 ViTDet Mask R-CNN checkpoint (tools/convert_detectron2.py), a DETR checkpoint (tools/convert_detr.py, or "
                    + "Hugging Face DetrForObjectDetection), or a preset mask_rcnn_vitdet_b|l|h, detr_resnet50|101")
    String model;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "created if needed; the files written there must not exist yet")
    Path out;

    @Mixin
    DetectOptions detect;

    @Option(names = "--skip-existing", description = "skip images whose outputs exist (resume an interrupted run)")
    boolean skipExisting;

    @Option(names = "--json", description = "one JSON object per image on stdout ({\"file\", \"detections_json\", \"overlay_png\", \"detections\"})")
    boolean json;

    @Mixin
    ImageRun images;

    @Mixin
    RunOptions run;

    @Override
    public Integer call() throws IOException {
        String invalid = detect.invalid();
        if (invalid != null) {
            throw usage(invalid);
        }
        // Everything about the outputs is checked before the model loads.
        List<Path> files = images.files();
        List<Path[]> targets = OutputFiles.targets(files, out, skipExisting, "detect", ".detections.json", ".overlay.png");
        int skipped = 0;
        try (VisionModel m = images.open(model, run.options(Math.min(detect.batch, Math.max(1, files.size()))), Task.DETECTION, name(), err())) {
            Set<Integer> kept = parseClasses(detect.classes, m.labels(), m.classes());
            if (detect.masks && !m.hasMasks()) {
                err().println("detect: --masks: " + model + " predicts no masks (DETR); the JSON has boxes only");
            }
            m.prepare();
            Files.createDirectories(out);
            OutputFiles.removeStaleTemporaries(out);
            (json ? err() : out()).println("running on " + m.device());
            Progress bar = new Progress(err(), images.progress, "images", files.size());
            List<Integer> pending = new ArrayList<>();
            List<RgbImage> decoded = new ArrayList<>();
            for (int i = 0; i <= files.size(); i++) {
                if (i < files.size()) {
                    Path[] t = targets.get(i);
                    if (skipExisting && Files.exists(t[0]) && Files.exists(t[1])) {
                        skipped++;
                        bar.advance();
                        continue;
                    }
                    RgbImage rgb = images.read(files.get(i));
                    if (rgb == null) {
                        bar.advance();
                        continue;
                    }
                    pending.add(i);
                    decoded.add(rgb);
                }
                // Images stream: decoded and run a batch at a time.
                if (decoded.size() == detect.batch || i == files.size() && !decoded.isEmpty()) {
                    long t0 = System.nanoTime();
                    List<Detections> found = m.detectImages(decoded, detect.score, true);
                    double seconds = (System.nanoTime() - t0) / 1e9 / decoded.size();
                    for (int j = 0; j < decoded.size(); j++) {
                        int index = pending.get(j);
                        Detections d = CocoResults.keepClasses(found.get(j), kept);
                        write(m, files.get(index), decoded.get(j), d, targets.get(index), index, files.size(), seconds);
                        bar.advance();
                    }
                    pending.clear();
                    decoded.clear();
                }
            }
            bar.finish();
            if (skipped > 0) {
                (json ? err() : out()).println(skipped + " images had their outputs already");
            }
        }
        return images.exitCode();
    }

    private void write(VisionModel m, Path image, RgbImage rgb, Detections d, Path[] t, int index, int total, double seconds) throws IOException {
        JsonArray results = CocoResults.of(m, ImageFiles.stem(image), d, detect.masks);
        String text = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(results) + "\n";
        BufferedImage overlay = DetectionOverlay.draw(rgb, d);
        OutputFiles.write(t[0], skipExisting, o -> o.write(text.getBytes(StandardCharsets.UTF_8)));
        OutputFiles.write(t[1], skipExisting, o -> ImageIO.write(overlay, "png", o));
        if (json) {
            JsonObject o = new JsonObject();
            o.addProperty("file", image.toString());
            o.addProperty("detections_json", t[0].toString());
            o.addProperty("overlay_png", t[1].toString());
            o.add("detections", results);
            out().println(o);
        } else {
            StringBuilder found = new StringBuilder();
            for (DetectedObject obj : d.objects().subList(0, Math.min(5, d.objects().size()))) {
                found.append(found.isEmpty() ? "" : ", ").append(String.format("%s %.2f", obj.label(), obj.score()));
            }
            out().printf("[%d/%d] %s (%dx%d): %d object%s%s in %.2f s -> %s, %s%n", index + 1, total, image, rgb.width(), rgb.height(), d.objects().size(),
                    d.objects().size() == 1 ? "" : "s",
                    d.objects().isEmpty() ? "" : " (" + found + (d.objects().size() > 5 ? ", ..." : "") + ")", seconds, t[0].getFileName(),
                    t[1].getFileName());
        }
        out().flush();
    }
}
