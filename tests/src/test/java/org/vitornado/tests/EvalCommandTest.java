package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * {@code eval} on the bundled Fashion-MNIST model and its 100 test images matches, image for image, what the PyTorch
 * model predicted for the same files when it was trained ({@code test-images/pytorch-predictions.csv}, written by
 * {@code tools/train_fashion_vit.py} through PIL and timm's eval transform), and so reaches the same accuracy.
 */
class EvalCommandTest {

    static final Path MODEL = ProjectFiles.root().resolve("models/fashion-vit");
    static final Path IMAGES = MODEL.resolve("test-images");

    /** file -> {label, PyTorch's top-1, its probability * 1e6}. */
    static Map<String, double[]> pytorch() throws IOException {
        Map<String, double[]> out = new HashMap<>();
        List<String> lines = Files.readAllLines(IMAGES.resolve("pytorch-predictions.csv"));
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",");
            out.put(c[0], new double[] {Integer.parseInt(c[1]), Integer.parseInt(c[2].split(" ")[0]), Double.parseDouble(c[3].split(" ")[0])});
        }
        return out;
    }

    @Test
    void evalMatchesPyTorchImageForImage(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("eval.json");
        Path png = dir.resolve("confusion.png");
        CliTest.Run r = CliTest.cli("eval", "--model", MODEL.toString(), "--images", IMAGES.toString(), "--json", json.toString(), "--confusion",
                png.toString(), "--show", "3");
        assertEquals(0, r.code(), r.err());
        Map<String, double[]> want = pytorch();
        JsonObject got = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(want.size(), got.get("images").getAsInt(), "every bundled image is evaluated");
        int pytorchCorrect = 0;
        for (JsonElement e : got.getAsJsonArray("predictions")) {
            JsonObject p = e.getAsJsonObject();
            double[] w = want.get(p.get("file").getAsString());
            assertTrue(w != null, "not in PyTorch's predictions: " + p);
            assertEquals((int) w[0], p.get("label").getAsInt(), p + ": the folder's label");
            assertEquals((int) w[1], p.get("predicted").getAsInt(), p + ": PyTorch predicted " + (int) w[1]);
            // PyTorch's probability is stored to 6 decimals.
            assertEquals(w[2], p.get("score").getAsDouble(), 2e-6, p.toString());
            pytorchCorrect += w[0] == w[1] ? 1 : 0;
        }
        assertEquals((double) pytorchCorrect / want.size(), got.get("top1").getAsDouble(), 1e-12, "PyTorch's accuracy on these images");
        assertTrue(got.get("top1").getAsDouble() >= 0.7, "a trained model (chance is 0.1): top-1 " + got.get("top1"));
        assertTrue(r.out().contains(String.format(java.util.Locale.ROOT, "top-1 %.2f%%", 100.0 * pytorchCorrect / want.size())), r.out());
        BufferedImage cm = ImageIO.read(png.toFile());
        assertTrue(cm.getWidth() > 10 * 40 && cm.getHeight() > 10 * 40, cm.getWidth() + "x" + cm.getHeight());
        long[][] confusion = new long[10][10];
        int total = 0;
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 10; j++) {
                confusion[i][j] = got.getAsJsonArray("confusion").get(i).getAsJsonArray().get(j).getAsLong();
                total += confusion[i][j];
            }
        }
        assertEquals(want.size(), total);
    }

    @Test
    void labelsFromACsvGiveTheSameFigures(@TempDir Path dir) throws IOException {
        // The same images in one flat folder, labelled by a CSV of label names and indexes.
        Path flat = Files.createDirectories(dir.resolve("flat"));
        StringBuilder csv = new StringBuilder("file,label\n");
        Map<String, double[]> want = pytorch();
        int i = 0;
        for (var e : want.entrySet()) {
            String name = "img" + i + ".png";
            Files.copy(IMAGES.resolve(e.getKey()), flat.resolve(name));
            csv.append(name).append(',').append(i % 2 == 0 ? Integer.toString((int) e.getValue()[0]) : e.getKey().split("/")[0]).append('\n');
            i++;
        }
        Path labels = Files.writeString(dir.resolve("labels.csv"), csv.toString());
        CliTest.Run folders = CliTest.cli("eval", "--model", MODEL.toString(), "--images", IMAGES.toString());
        CliTest.Run table = CliTest.cli("eval", "--model", MODEL.toString(), "--images", flat.toString(), "--labels", labels.toString());
        assertEquals(0, table.code(), table.err());
        String summary = folders.out().lines().filter(l -> l.contains("top-1")).findFirst().orElseThrow();
        assertTrue(table.out().contains(summary), summary + "\n" + table.out());
        CliTest.Run unknown = CliTest.cli("eval", "--model", MODEL.toString(), "--images", flat.toString(), "--labels",
                Files.writeString(dir.resolve("bad.csv"), "img0.png,unicorn\n").toString());
        CliFailuresTest.failsInOneLine(unknown, "eval", "'unicorn' is not a class", "Ankle boot");
    }
}
