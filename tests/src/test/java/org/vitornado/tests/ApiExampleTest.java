package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.vitornado.api.Classification;
import org.vitornado.api.ClassMap;
import org.vitornado.api.FeatureTensor;
import org.vitornado.api.Options;
import org.vitornado.api.RgbImage;
import org.vitornado.api.Task;
import org.vitornado.api.VisionModel;
import org.vitornado.model.io.ModelException;

/** The README's Java API example, run as written, and the rest of the API's promises. */
class ApiExampleTest {

    /** The example's lines, as the README shows them (checked below, so the two cannot drift apart). */
    static final String EXAMPLE = """
            try (VisionModel model = VisionModel.load("models/fashion-vit", Options.defaults().batch(16))) {
                List<Classification> results = model.classify(List.of(Path.of("models/fashion-vit/test-images/sneaker/00009.png")), 3);
                for (Classification c : results) {
                    System.out.println(c.source() + ": " + c.best().label() + " " + c.best().score());
                }
            }
            """;

    @Test
    void theReadmeExampleRunsAsWritten() throws IOException {
        assertTrue(Files.readString(ProjectFiles.root().resolve("README.md")).contains(EXAMPLE), "README.md no longer shows this example:\n" + EXAMPLE);
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            example();
        } finally {
            System.setOut(stdout);
        }
        Matcher m = Pattern.compile("sneaker/00009\\.png: Sneaker (0\\.\\d+)\\R").matcher(printed.toString(StandardCharsets.UTF_8));
        assertTrue(m.find(), printed.toString(StandardCharsets.UTF_8));
        assertTrue(Double.parseDouble(m.group(1)) > 0.5, "the trained model is sure of this sneaker: " + m.group(1));
    }

    /** The example, verbatim but for its paths: relative to the project root there, resolved against it here. */
    private static void example() {
        Path root = ProjectFiles.root();
        try (VisionModel model = VisionModel.load(root.resolve("models/fashion-vit").toString(), Options.defaults().batch(16))) {
            List<Classification> results = model.classify(List.of(root.resolve("models/fashion-vit/test-images/sneaker/00009.png")), 3);
            for (Classification c : results) {
                System.out.println(c.source() + ": " + c.best().label() + " " + c.best().score());
            }
        }
    }

    @Test
    void eachTaskHasItsTypedResult() {
        Path photo = CliFailuresTest.PIL.resolve("photo.jpg");
        try (VisionModel seg = VisionModel.load(Fixtures.prefix("segformer_tiny") + ".safetensors", Options.defaults().size(64, 64))) {
            assertEquals(Task.SEGMENTATION, seg.task());
            ClassMap map = seg.segment(photo);
            assertEquals(47, map.height());
            assertEquals(61, map.width());
            assertTrue(map.present().stream().allMatch(k -> k >= 0 && k < seg.classes()));
            ModelException e = assertThrows(ModelException.class, () -> seg.classify(photo));
            assertTrue(e.getMessage().contains("use segment"), e.getMessage());
        }
        try (VisionModel backbone = VisionModel.load(Fixtures.prefix("vitdet_sfp") + ".safetensors")) {
            assertEquals(Task.FEATURES, backbone.task());
            var maps = backbone.features(RgbImage.read(photo));
            assertEquals(List.of("p2", "p3", "p4", "p5", "p6", "last_feat"), List.copyOf(maps.keySet()));
            FeatureTensor p6 = maps.get("p6");
            assertEquals(p6.shape()[0] * p6.shape()[1] * p6.shape()[2], p6.values().length);
        }
    }

    @Test
    void aClosedModelRefusesWork() {
        VisionModel model = VisionModel.load(Fixtures.prefix("vit_token") + ".safetensors");
        model.close();
        model.close();
        assertThrows(ModelException.class, () -> model.classify(CliFailuresTest.PIL.resolve("photo.jpg")));
    }
}
