package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * What a new user hit, one test per problem: each failed on the CLI before (wrong results, stack traces, hangs,
 * cryptic messages) and must stay fixed. Every error is one line naming the command, exit code 2, and never shows a
 * Java class name.
 */
class CliFailuresTest {

    static final Path PIL = ProjectFiles.root().resolve("model/src/test/resources/pil");

    /** A Java class name in a message: {@code java.nio.file.FileAlreadyExistsException}, {@code SafetensorsException:}. */
    static final Pattern CLASS_NAME = Pattern.compile("\\b(?:[a-z]+\\.)+[A-Z]\\w+|\\w+(?:Exception|Error)\\b");

    /** The run failed cleanly: exit 2, one line on stderr starting with the command, no class name, no usage text. */
    static void failsInOneLine(CliTest.Run r, String command, String... mentions) {
        assertEquals(2, r.code(), r.out() + r.err());
        List<String> lines = r.err().lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(1, lines.size(), "one line expected:\n" + r.err());
        assertTrue(lines.get(0).startsWith("vitornado " + command + ": "), lines.get(0));
        assertFalse(CLASS_NAME.matcher(lines.get(0)).find(), "a Java class name in: " + lines.get(0));
        for (String m : mentions) {
            assertTrue(lines.get(0).contains(m), "'" + m + "' missing from: " + lines.get(0));
        }
    }

    /** A copy of the vit_token fixture as a checkpoint directory, its config edited by {@code edit}. */
    static Path vitCheckpoint(Path dir, String name, UnaryOperator<JsonObject> edit) throws IOException {
        Path d = Files.createDirectories(dir.resolve(name));
        Files.copy(Fixtures.prefix("vit_token").resolveSibling("vit_token.safetensors"), d.resolve("model.safetensors"));
        JsonObject config = JsonParser.parseString(Files.readString(Fixtures.prefix("vit_token").resolveSibling("vit_token.json"))).getAsJsonObject();
        Files.writeString(d.resolve("config.json"), edit.apply(config).toString());
        return d;
    }

    static JsonObject args(JsonObject config) {
        return config.getAsJsonObject("constructor").getAsJsonObject("args");
    }

    // 1. Grey images reach the model as PIL sees them: a grey PNG classifies exactly as the RGB image with the same
    //    value in every channel (Java 2D's colour management brightened 132 to 190).
    @Test
    void greyImagesAreNotBrightened(@TempDir Path dir) throws IOException {
        BufferedImage grey = new BufferedImage(40, 30, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage rgb = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                int v = (x * 7 + y * 3) % 256;
                grey.getRaster().setSample(x, y, 0, v);
                rgb.getRaster().setPixel(x, y, new int[] {v, v, v});
            }
        }
        ImageIO.write(grey, "png", dir.resolve("grey.png").toFile());
        ImageIO.write(rgb, "png", dir.resolve("rgb.png").toFile());
        Path model = vitCheckpoint(dir, "vit", c -> c);
        CliTest.Run g = CliTest.cli("classify", "--model", model.toString(), "--image", dir.resolve("grey.png").toString(), "--json", "--top", "10");
        CliTest.Run c = CliTest.cli("classify", "--model", model.toString(), "--image", dir.resolve("rgb.png").toString(), "--json", "--top", "10");
        assertEquals(0, g.code(), g.err());
        sameScores(c, g);
    }

    /**
     * The two {@code classify --json} runs ranked the classes alike with the same scores. (The JVM backend's vector
     * reductions may add in another order once the JIT has compiled them, so scores agree to float rounding.)
     */
    static void sameScores(CliTest.Run want, CliTest.Run got) {
        JsonArray w = JsonParser.parseString(want.out().strip()).getAsJsonObject().getAsJsonArray("labels");
        JsonArray g = JsonParser.parseString(got.out().strip()).getAsJsonObject().getAsJsonArray("labels");
        assertEquals(w.size(), g.size());
        for (int i = 0; i < w.size(); i++) {
            JsonObject a = w.get(i).getAsJsonObject();
            JsonObject b = g.get(i).getAsJsonObject();
            assertEquals(a.get("index").getAsInt(), b.get("index").getAsInt(), "rank " + i + ": " + w + " vs " + g);
            assertEquals(a.get("score").getAsDouble(), b.get("score").getAsDouble(), 1e-5, "rank " + i);
        }
    }

    // 2. A truncated JPEG is refused (libjpeg would fill the rest with grey), naming the file.
    @Test
    void truncatedJpegIsAnError() throws IOException {
        Path bad = PIL.resolve("truncated.jpg");
        CliTest.Run r = CliTest.cli("classify", "--model", Fixtures.prefix("vit_token") + ".safetensors", "--image", bad.toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains(bad.toString()) && r.err().contains("truncated"), r.err());
        assertFalse(r.out().contains("1. "), "no prediction from a truncated file: " + r.out());
    }

    // 3. A CMYK JPEG decodes to PIL's colours (the sky is blue, not washed out): the whole PIL fixture is checked
    //    pixel for pixel in PilDecodingTest; here the CLI path, on the CMYK file, agrees with the RGB rendering of it.
    @Test
    void cmykJpegHasPilsColours(@TempDir Path dir) throws IOException {
        byte[] raw = Files.readAllBytes(PIL.resolve("cmyk.rgb"));
        int w = 37;
        int h = 23;
        BufferedImage pil = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        assertEquals(3 * w * h, raw.length, "cmyk.rgb is 37x23");
        for (int i = 0; i < w * h; i++) {
            pil.getRaster().setPixel(i % w, i / w, new int[] {raw[3 * i] & 0xFF, raw[3 * i + 1] & 0xFF, raw[3 * i + 2] & 0xFF});
        }
        ImageIO.write(pil, "png", dir.resolve("pil.png").toFile());
        String model = Fixtures.prefix("vit_token") + ".safetensors";
        CliTest.Run a = CliTest.cli("classify", "--model", model, "--image", PIL.resolve("cmyk.jpg").toString(), "--json", "--top", "10");
        CliTest.Run b = CliTest.cli("classify", "--model", model, "--image", dir.resolve("pil.png").toString(), "--json", "--top", "10");
        assertEquals(0, a.code(), a.err());
        sameScores(b, a);
    }

    // 4. Memory: the batch is capped at the number of images; a size that cannot fit is refused before anything is
    //    allocated or written, saying what fits.
    @Test
    void memoryIsEstimatedBeforeAllocating(@TempDir Path dir) throws IOException {
        String image = PIL.resolve("photo.jpg").toString();
        CliTest.Run big = CliTest.cli("classify", "--model", Fixtures.prefix("vit_token") + ".safetensors", "--batch", "60000", "--image", image, image);
        assertEquals(0, big.code(), big.err());
        Path out = dir.resolve("never");
        System.setProperty("vitornado.maxArrayMemory", "2g");
        try {
            CliTest.Run huge = CliTest.cli("segment", "--model", Fixtures.prefix("segformer_tiny") + ".safetensors", "--image", image, "--out",
                    out.toString(), "--size", "8000x8000");
            failsInOneLine(huge, "segment", "8000x8000", "needs about", "--size ", " fits");
        } finally {
            System.clearProperty("vitornado.maxArrayMemory");
        }
        assertFalse(Files.exists(out), "the output folder must not be created for a run that cannot start");
    }

    // 5. Presets work in every command that takes --model, and "no such file" names them.
    @Test
    void presetsWorkEverywhere() {
        for (String command : List.of("info", "plan")) {
            CliTest.Run r = CliTest.cli(command, "--model", "vit_tiny_patch16_224");
            assertEquals(0, r.code(), command + ": " + r.err());
        }
        CliTest.Run classify = CliTest.cli("classify", "--model", "vit_tiny_patch16_224", "--image", PIL.resolve("photo.jpg").toString(), "--top", "2");
        assertEquals(0, classify.code(), classify.err());
        assertTrue(classify.out().contains("1. class "), classify.out());
        CliTest.Run missing = CliTest.cli("classify", "--model", "vit_base_patch16_244x", "--image", PIL.resolve("photo.jpg").toString());
        failsInOneLine(missing, "classify", "no such file or directory", "vit_base_patch16_224", "vitdet_b", "segformer_b0");
    }

    // 6. info knows every family and checks the tensors as loading does.
    @Test
    void infoCoversEveryFamilyAndChecksTensors(@TempDir Path dir) throws IOException {
        for (String fixture : List.of("segformer_tiny", "depict_segmenter", "samvit_window", "vitdet_sfp", "vit_token")) {
            CliTest.Run r = CliTest.cli("info", "--model", Fixtures.prefix(fixture) + ".safetensors");
            assertEquals(0, r.code(), fixture + ": " + r.err());
            assertTrue(r.out().contains("checked against the config"), r.out());
        }
        // A checkpoint with one tensor missing, and one with a mis-shaped qkv.
        Path missing = dir.resolve("missing");
        Path misshaped = dir.resolve("misshaped");
        try (var f = org.vitornado.weights.SafetensorsFile.open(Fixtures.prefix("vit_token").resolveSibling("vit_token.safetensors"))) {
            for (Path target : List.of(missing, misshaped)) {
                Files.createDirectories(target);
                var w = new org.vitornado.weights.SafetensorsWriter();
                for (String name : f.names()) {
                    long[] shape = f.info(name).shape();
                    float[] values = new float[(int) f.info(name).elementCount()];
                    if (target == missing && name.equals("blocks.1.mlp.fc2.weight")) {
                        continue;
                    }
                    if (target == misshaped && name.equals("blocks.0.attn.qkv.weight")) {
                        shape = new long[] {shape[0] - 3, shape[1]};
                        values = new float[(int) (shape[0] * shape[1])];
                    }
                    w.add(name, values, shape);
                }
                w.write(target.resolve("model.safetensors"), false);
                Files.copy(Fixtures.prefix("vit_token").resolveSibling("vit_token.json"), target.resolve("config.json"));
            }
        }
        failsInOneLine(CliTest.cli("info", "--model", missing.toString()), "info", "blocks.1.mlp.fc2.weight");
        failsInOneLine(CliTest.cli("info", "--model", misshaped.toString()), "info", "blocks.0.attn.qkv.weight");
    }

    // 7. Hostile configs fail at once, naming the key.
    @Test
    void hostileConfigsFailFastAndNameTheKey(@TempDir Path dir) throws IOException {
        Path image = PIL.resolve("photo.jpg");
        Path huge = vitCheckpoint(dir, "huge", c -> {
            args(c).addProperty("img_size", 100000);
            return c;
        });
        Path deep = vitCheckpoint(dir, "deep", c -> {
            args(c).addProperty("depth", 1000000);
            return c;
        });
        Path crop = vitCheckpoint(dir, "crop", c -> {
            JsonObject cfg = new JsonObject();
            cfg.addProperty("crop_pct", 0);
            c.add("pretrained_cfg", cfg);
            return c;
        });
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            failsInOneLine(CliTest.cli("classify", "--model", huge.toString(), "--image", image.toString()), "classify", "img_size", "100000");
            failsInOneLine(CliTest.cli("info", "--model", deep.toString()), "info", "depth", "1000000");
            failsInOneLine(CliTest.cli("classify", "--model", crop.toString(), "--image", image.toString()), "classify", "crop_pct");
            CliTest.Run batch = CliTest.cli("plan", "--model", Fixtures.prefix("vit_token") + ".safetensors", "--batch", "1000000");
            assertEquals(2, batch.code());
            assertTrue(batch.err().startsWith("vitornado plan: --batch must be between 1 and"), batch.err());
        });
    }

    // 8. features refuses an existing output before it runs the model: see FeaturesCommandTest.

    // 9. Messages: one line with the command's name, no class names, usage only for usage errors; strict sizes;
    //    label lists must match the classes.
    /** fp16 weights: emulated on our JVM API (and held to 1e-3 there), refused in one line on a device without fp16 (PoCL). */
    @Test
    void fp16RunsOnTheJvmAndNeedsAGpuUnderTornadoVm() {
        CliTest.Run r = CliTest.cli("verify", "--fixture", Fixtures.prefix("vit_token").toString(), "--precision", "fp16");
        if (org.vitornado.runtime.Backend.detect() == org.vitornado.runtime.Backend.TORNADO) {
            failsInOneLine(r, "verify", "--precision fp16 needs a GPU");
        } else {
            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("tolerance 1.0e-03 relative L2 (fp16 weights)") && r.out().strip().endsWith("PASS"), r.out());
        }
        // A bad value is a usage error: its line, then the synopsis.
        CliTest.Run bad = CliTest.cli("verify", "--fixture", Fixtures.prefix("vit_token").toString(), "--precision", "fp8");
        assertEquals(2, bad.code());
        assertTrue(bad.err().startsWith("vitornado verify: --precision: precision must be fp32 or fp16, got 'fp8'"), bad.err());
    }

    @Test
    void messagesAreConsistent(@TempDir Path dir) throws IOException {
        Path exists = Files.writeString(dir.resolve("rows.json"), "keep");
        failsInOneLine(CliTest.cli("bench", "--model", "vit_tiny_patch16_224", "--json", exists.toString(), "--no-peak"), "bench", "rows.json: exists");
        Path text = PIL.resolve("text.png");
        failsInOneLine(CliTest.cli("classify", "--model", Fixtures.prefix("vit_token") + ".safetensors", "--image", text.toString()), "classify",
                "text.png");
        Path corrupt = Files.writeString(dir.resolve("corrupt.safetensors"), "not a checkpoint at all");
        Files.copy(Fixtures.prefix("vit_token").resolveSibling("vit_token.json"), dir.resolve("corrupt.json"));
        failsInOneLine(CliTest.cli("info", "--model", corrupt.toString()), "info", "corrupt.safetensors");
        // The backend this process does not have.
        String other = org.vitornado.runtime.Backend.detect() == org.vitornado.runtime.Backend.JVM ? "tornado" : "jvm";
        failsInOneLine(CliTest.cli("classify", "--model", Fixtures.prefix("vit_token") + ".safetensors", "--image", PIL.resolve("photo.jpg").toString(),
                "--backend", other), "classify", "--backend " + other);
        // A device this process does not have, in TornadoVM's backend:device form.
        failsInOneLine(CliTest.cli("classify", "--model", Fixtures.prefix("vit_token") + ".safetensors", "--image", PIL.resolve("photo.jpg").toString(),
                "--device", "7:0"), "classify", "no such TornadoVM device", "tornado --devices");
        // Usage errors show the synopsis; errors about values and files do not.
        CliTest.Run size = CliTest.cli("plan", "--model", "vit_tiny_patch16_224", "--size", "64x");
        assertEquals(2, size.code());
        assertTrue(size.err().startsWith("vitornado plan: --size: expects HxW") && size.err().contains("Usage: vitornado plan"), size.err());
        Path labels = vitCheckpoint(dir, "labels", c -> {
            JsonArray names = new JsonArray();
            names.add("cat");
            names.add("dog");
            c.add("label_names", names);
            return c;
        });
        failsInOneLine(CliTest.cli("classify", "--model", labels.toString(), "--image", PIL.resolve("photo.jpg").toString()), "classify",
                "2 label names for 10 classes");
    }
}
