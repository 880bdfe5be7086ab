package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitornado.model.image.ImageReader;
import org.vitornado.model.image.Interpolation;
import org.vitornado.model.image.Planar;
import org.vitornado.model.image.Preprocessing;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.TensorLoader;
import org.vitornado.model.segmentation.SegmentationImages;
import org.vitornado.model.segmentation.SegmentationInference;
import org.vitornado.model.segmentation.SegmentationModel;
import org.vitornado.model.segmentation.SegmentationModels;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.weights.SafetensorsFile;

/** {@code segment} end to end on the bundled SegFormer and Segmenter fixtures, down to the pixels of its PNGs. */
class SegmentCommandTest {

    static final Path SEGFORMER = Fixtures.prefix("segformer_tiny").resolveSibling("segformer_tiny.safetensors");
    static final Path SEGMENTER = Fixtures.prefix("depict_segmenter").resolveSibling("depict_segmenter.safetensors");

    /** A 90x70 RGB image with structure (gradients, a bright block), written as PNG. */
    static Path image(Path dir, String name) throws IOException {
        BufferedImage img = new BufferedImage(90, 70, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 70; y++) {
            for (int x = 0; x < 90; x++) {
                int r = x * 255 / 90;
                int g = y * 255 / 70;
                int b = x > 30 && x < 60 && y > 20 && y < 50 ? 250 : 40;
                img.setRGB(x, y, r << 16 | g << 8 | b);
            }
        }
        Path p = dir.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void wholeModeWritesTheClassMapOverlayAndLegend(@TempDir Path dir) throws IOException {
        Path a = image(dir, "a.png");
        // The class map is the argmax of the model's scores on the same input, resized back to 90x70.
        Planar rgb = ImageReader.readRgb(a);
        SegmentationModel model = SegmentationModels.read(Json.readObject(SEGFORMER.resolveSibling("segformer_tiny.json")), SEGFORMER);
        float[] pixels = new Preprocessing(64, 64, 1.0, true, Interpolation.BILINEAR, new float[] {0.485f, 0.456f, 0.406f},
                new float[] {0.229f, 0.224f, 0.225f}).apply(rgb);
        int[] want;
        float[] scores;
        try (SafetensorsFile f = SafetensorsFile.open(SEGFORMER);
                SegmentationInference inference = new SegmentationInference(model, new TensorLoader(f), ExecutionOptions.defaults())) {
            scores = SegmentationInference.resize(inference.whole(pixels, 64, 64), 6, 64, 64, 70, 90);
            want = SegmentationInference.argmax(scores, 6, 70 * 90);
        }
        // Show the class at the first pixel (present) and one other; the rest of the map stays unblended.
        int first = want[0];
        int other = first == 5 ? 4 : 5;
        Set<Integer> shown = Set.of(first, other);
        Path out = dir.resolve("out");
        CliTest.Run r = CliTest.cli("segment", "--model", SEGFORMER.toString(), "--image", a.toString(), "--out", out.toString(),
                "--classes", first + "," + other, "--size", "64x64");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("[1/1]") && r.out().contains("legend.png"), r.out());
        BufferedImage classes = ImageIO.read(out.resolve("a.classes.png").toFile());
        assertEquals(90, classes.getWidth());
        assertEquals(70, classes.getHeight());
        int[] got = classes.getRaster().getPixels(0, 0, 90, 70, (int[]) null);
        // The same argmax, except where two classes tie to a few ulps (the CPU kernels sum vector lanes a little
        // differently before and after the JIT compiles them): there either class is right.
        for (int i = 0; i < got.length; i++) {
            if (got[i] != want[i]) {
                float gap = Math.abs(scores[want[i] * got.length + i] - scores[got[i] * got.length + i]);
                assertTrue(gap < 1e-4f, "pixel " + i + ": class " + got[i] + " instead of " + want[i] + " (scores differ by " + gap + ")");
            }
        }
        assertTrue(java.util.Arrays.stream(got).distinct().count() > 1, "a structured image gives more than one class");

        // Overlay: shown classes blended half and half with their colour, the others untouched.
        BufferedImage overlay = ImageIO.read(out.resolve("a.overlay.png").toFile());
        int blended = 0;
        for (int y = 0; y < 70; y++) {
            for (int x = 0; x < 90; x++) {
                int k = got[y * 90 + x];
                int c = SegmentationImages.colour(k);
                int px = overlay.getRGB(x, y);
                for (int ch = 0; ch < 3; ch++) {
                    int shift = 16 - 8 * ch;
                    float image = rgb.get(ch, y, x);
                    float expect = shown.contains(k) ? 0.5f * image + 0.5f * (c >> shift & 255) : image;
                    assertEquals(Math.round(expect), px >> shift & 255, 1, "overlay pixel " + x + "," + y);
                }
                blended += shown.contains(k) ? 1 : 0;
            }
        }
        // Legend: one row per shown class, its swatch in the class colour.
        BufferedImage legend = ImageIO.read(out.resolve("legend.png").toFile());
        assertEquals(2 * 22 + 8, legend.getHeight());
        assertEquals(SegmentationImages.colour(Math.min(first, other)), legend.getRGB(20, 4 + 10) & 0xFFFFFF);
        assertEquals(SegmentationImages.colour(Math.max(first, other)), legend.getRGB(20, 4 + 22 + 10) & 0xFFFFFF);
        assertTrue(blended > 0 && blended < 70 * 90, "some pixels blended, some not: " + blended);
    }

    @Test
    void slideModeAndManyImagesWithProgressAndNoOverwrite(@TempDir Path dir) throws IOException {
        Path a = image(dir, "a.png");
        Path b = image(dir, "b.png");
        Path out = dir.resolve("out");
        CliTest.Run r = CliTest.cli("segment", "--model", SEGMENTER.toString(), "--image", a.toString(), b.toString(), "--out", out.toString(),
                "--mode", "slide", "--window", "64x64", "--stride", "32x32");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("[1/2]") && r.out().contains("[2/2]") && r.out().contains("slide"), r.out());
        for (String f : List.of("a.classes.png", "a.overlay.png", "b.classes.png", "b.overlay.png", "legend.png")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        // Identical images give the same map (up to a pixel whose two best classes tie to a few ulps).
        int[] ma = ImageIO.read(out.resolve("a.classes.png").toFile()).getRaster().getPixels(0, 0, 90, 70, (int[]) null);
        int[] mb = ImageIO.read(out.resolve("b.classes.png").toFile()).getRaster().getPixels(0, 0, 90, 70, (int[]) null);
        int differ = 0;
        for (int i = 0; i < ma.length; i++) {
            differ += ma[i] != mb[i] ? 1 : 0;
        }
        assertTrue(differ <= ma.length / 200, differ + " pixels differ");
        long before = Files.getLastModifiedTime(out.resolve("a.classes.png")).toMillis();
        CliTest.Run again = CliTest.cli("segment", "--model", SEGMENTER.toString(), "--image", a.toString(), "--out", out.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("exists") && again.err().contains("nothing is overwritten"), again.err());
        assertEquals(before, Files.getLastModifiedTime(out.resolve("a.classes.png")).toMillis());
    }

    @Test
    void badArgumentsAreNamed(@TempDir Path dir) throws IOException {
        Path a = image(dir, "a.png");
        CliTest.Run cls = CliTest.cli("segment", "--model", SEGFORMER.toString(), "--image", a.toString(), "--out", dir.resolve("o").toString(),
                "--classes", "unicorn");
        assertEquals(2, cls.code());
        assertTrue(cls.err().contains("'unicorn' is not a class"), cls.err());
        CliTest.Run vit = CliTest.cli("segment", "--model", CliTest.DEMO.toString(), "--image", a.toString(), "--out", dir.resolve("o").toString());
        assertEquals(2, vit.code());
        assertTrue(vit.err().contains("is not a segmenter") && vit.err().contains("use classify"), vit.err());
        CliTest.Run mode = CliTest.cli("segment", "--model", SEGFORMER.toString(), "--image", a.toString(), "--out", dir.resolve("o").toString(),
                "--mode", "tiles");
        assertEquals(2, mode.code());
        assertTrue(mode.err().contains("--mode"), mode.err());
        assertTrue(Files.notExists(dir.resolve("o")), "nothing is written on a usage error");
    }

    @Test
    void slidingWindowsFollowMmseg() {
        // H=70, crop 64, stride 42: max(70 - 64 + 41, 0) / 42 + 1 = 2 rows; the last window is shifted back to 6..70.
        List<SegmentationInference.Window> w = SegmentationInference.windows(70, 90, 64, 64, 42, 42);
        assertEquals(List.of(new SegmentationInference.Window(0, 0, 64, 64), new SegmentationInference.Window(0, 26, 64, 64),
                new SegmentationInference.Window(6, 0, 64, 64), new SegmentationInference.Window(6, 26, 64, 64)), w);
        // An image smaller than the crop: one window, clipped to the image.
        assertEquals(List.of(new SegmentationInference.Window(0, 0, 30, 50)), SegmentationInference.windows(30, 50, 64, 64, 42, 42));
    }

    @Test
    void slideAveragesOverlappingWindowScores() throws IOException {
        SegmentationModel model = SegmentationModels.read(Json.readObject(SEGFORMER.resolveSibling("segformer_tiny.json")), SEGFORMER);
        java.util.Random r = new java.util.Random(1);
        float[] pixels = new float[3 * 64 * 96];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) r.nextGaussian();
        }
        try (SafetensorsFile f = SafetensorsFile.open(SEGFORMER);
                SegmentationInference inference = new SegmentationInference(model, new TensorLoader(f), ExecutionOptions.defaults())) {
            float[] slide = inference.slide(pixels, 64, 96, 64, 64, 32, 32);
            float[] left = inference.whole(crop(pixels, 0), 64, 64);
            float[] right = inference.whole(crop(pixels, 32), 64, 64);
            for (int k = 0; k < 6; k++) {
                for (int y = 0; y < 64; y += 7) {
                    assertEquals(left[(k * 64 + y) * 64 + 5], slide[(k * 64 + y) * 96 + 5], 1e-6, "only the left window");
                    assertEquals((left[(k * 64 + y) * 64 + 40] + right[(k * 64 + y) * 64 + 8]) / 2, slide[(k * 64 + y) * 96 + 40], 1e-5,
                            "both windows averaged");
                    assertEquals(right[(k * 64 + y) * 64 + 60], slide[(k * 64 + y) * 96 + 92], 1e-6, "only the right window");
                }
            }
        }
    }

    private static float[] crop(float[] pixels, int x0) {
        float[] out = new float[3 * 64 * 64];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 64; y++) {
                System.arraycopy(pixels, (c * 64 + y) * 96 + x0, out, (c * 64 + y) * 64, 64);
            }
        }
        return out;
    }
}
