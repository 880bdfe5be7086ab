package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitornado.model.detection.CocoRle;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The bundled demo detector ({@code models/fashion-detector}, a ViTDet Mask R-CNN trained with detectron2) run by
 * {@code detect} on its demo images: every detection agrees with detectron2's own float64 predictions for the same
 * files, and the overlay and COCO JSON that a user looks at are the ones those detections describe.
 */
class DemoDetectorTest {

    static final Path MODEL = ProjectFiles.demoDetector();
    static final Path IMAGES = MODEL.resolve("images");

    /** COCO RLE runs (column-major, starting with background) decoded to a row-major mask. */
    static boolean[] decode(long[] runs, int h, int w) {
        boolean[] mask = new boolean[h * w];
        int pos = 0;
        boolean value = false;
        for (long run : runs) {
            for (long k = 0; k < run; k++, pos++) {
                mask[(pos % h) * w + pos / h] = value;
            }
            value = !value;
        }
        assertEquals(h * w, pos, "the runs cover the image");
        return mask;
    }

    static long[] runs(JsonArray counts) {
        long[] r = new long[counts.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = counts.get(i).getAsLong();
        }
        return r;
    }

    static JsonObject detectronPredictions() throws IOException {
        return JsonParser.parseString(Files.readString(MODEL.resolve("detectron2-predictions.json"))).getAsJsonObject().getAsJsonObject("float64");
    }

    @Test
    void everyDetectionAgreesWithDetectron2(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        CliTest.Run r = CliTest.cli("detect", "--model", MODEL.toString(), "--image", IMAGES.toString(), "--out", out.toString(), "--score", "0.05",
                "--masks");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonObject expected = detectronPredictions();
        assertEquals(8, expected.size());
        long maskPixels = 0;
        long differing = 0;
        for (var image : expected.entrySet()) {
            String name = image.getKey();
            JsonObject p = image.getValue().getAsJsonObject();
            int h = p.get("height").getAsInt();
            int w = p.get("width").getAsInt();
            JsonArray ours = JsonParser.parseString(Files.readString(out.resolve(name.replace(".png", ".detections.json")))).getAsJsonArray();
            JsonArray boxes = p.getAsJsonArray("pred_boxes");
            assertEquals(p.get("num_instances").getAsInt(), ours.size(), name + ": detections scoring above 0.05");
            for (int i = 0; i < ours.size(); i++) {
                JsonObject d = ours.get(i).getAsJsonObject();
                String what = name + ", detection " + i;
                assertEquals(p.getAsJsonArray("pred_classes").get(i).getAsInt(), d.get("category_id").getAsInt(), what + ": class");
                assertEquals(p.getAsJsonArray("pred_labels").get(i).getAsString(), d.get("category_name").getAsString(), what + ": label");
                assertEquals(p.getAsJsonArray("scores").get(i).getAsDouble(), d.get("score").getAsDouble(), 1e-4, what + ": score");
                JsonArray b = boxes.get(i).getAsJsonArray();
                JsonArray bbox = d.getAsJsonArray("bbox");
                double x0 = b.get(0).getAsDouble();
                double y0 = b.get(1).getAsDouble();
                // Our JSON rounds to 0.01 pixel.
                assertEquals(x0, bbox.get(0).getAsDouble(), 0.01, what + ": x");
                assertEquals(y0, bbox.get(1).getAsDouble(), 0.01, what + ": y");
                assertEquals(b.get(2).getAsDouble() - x0, bbox.get(2).getAsDouble(), 0.02, what + ": width");
                assertEquals(b.get(3).getAsDouble() - y0, bbox.get(3).getAsDouble(), 0.02, what + ": height");
                JsonObject seg = d.getAsJsonObject("segmentation");
                boolean[] mine = decode(CocoRle.decompress(seg.get("counts").getAsString()), h, w);
                boolean[] theirs = decode(runs(p.getAsJsonArray("pred_masks").get(i).getAsJsonObject().getAsJsonArray("counts")), h, w);
                for (int q = 0; q < h * w; q++) {
                    maskPixels += theirs[q] ? 1 : 0;
                    differing += mine[q] != theirs[q] ? 1 : 0;
                }
            }
        }
        // float32 against float64 may flip a pasted pixel whose value is within rounding of the 0.5 threshold.
        assertTrue(maskPixels > 10_000, "the demo's masks cover " + maskPixels + " pixels");
        assertTrue(differing <= maskPixels / 10_000, differing + " of " + maskPixels + " mask pixels differ from detectron2's");
    }

    /** Which of the image's pixels lie inside some detection's mask (from the RLE in our JSON). */
    static boolean[] union(JsonArray dets, int h, int w) {
        boolean[] any = new boolean[h * w];
        for (JsonElement e : dets) {
            boolean[] m = decode(CocoRle.decompress(e.getAsJsonObject().getAsJsonObject("segmentation").get("counts").getAsString()), h, w);
            for (int q = 0; q < h * w; q++) {
                any[q] |= m[q];
            }
        }
        return any;
    }

    @Test
    void theDefaultRunWritesTheOverlayItsJsonDescribes(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("out");
        CliTest.Run r = CliTest.cli("detect", "--model", MODEL.toString(), "--image", IMAGES.toString(), "--out", out.toString(), "--masks");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonObject expected = detectronPredictions();
        for (var image : expected.entrySet()) {
            String name = image.getKey();
            String stem = name.replace(".png", "");
            JsonObject p = image.getValue().getAsJsonObject();
            JsonArray dets = JsonParser.parseString(Files.readString(out.resolve(stem + ".detections.json"))).getAsJsonArray();
            assertEquals(p.get("num_score_ge_0.5").getAsInt(), dets.size(), name + ": detections at the default score 0.5");
            BufferedImage original = ImageIO.read(IMAGES.resolve(name).toFile());
            BufferedImage overlay = ImageIO.read(out.resolve(stem + ".overlay.png").toFile());
            int h = original.getHeight();
            int w = original.getWidth();
            assertEquals(w, overlay.getWidth(), name);
            assertEquals(h, overlay.getHeight(), name);
            boolean[] masked = union(dets, h, w);
            List<double[]> boxes = new ArrayList<>();
            dets.forEach(e -> {
                JsonArray b = e.getAsJsonObject().getAsJsonArray("bbox");
                boxes.add(new double[] {b.get(0).getAsDouble(), b.get(1).getAsDouble(), b.get(2).getAsDouble(), b.get(3).getAsDouble()});
            });
            int tinted = 0;
            int inMasks = 0;
            int changedAway = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    boolean changed = overlay.getRGB(x, y) != original.getRGB(x, y);
                    if (masked[y * w + x]) {
                        inMasks++;
                        tinted += changed ? 1 : 0;
                        continue;
                    }
                    boolean near = false;
                    for (double[] b : boxes) {
                        // A box's outline and its tag, a band of text rows at its top edge.
                        near |= x >= b[0] - 3 && x <= b[0] + b[2] + 3 && y >= b[1] - 3 && y <= b[1] + b[3] + 3;
                        near |= y >= b[1] - 20 && y <= b[1] + 20 && x >= b[0] - 3;
                    }
                    changedAway += !near && changed ? 1 : 0;
                }
            }
            assertTrue(tinted > 0.9 * inMasks, name + ": " + tinted + " of " + inMasks + " mask pixels tinted");
            assertEquals(0, changedAway, name + ": pixels away from every detection changed");
        }
    }
}
