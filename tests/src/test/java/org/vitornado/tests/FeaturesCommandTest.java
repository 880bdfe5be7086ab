package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitornado.weights.SafetensorsFile;

/**
 * {@code features} on the bundled ViTDet and SAM fixtures' weights: per image a safetensors file and a PNG per map,
 * never overwriting, with existing outputs refused before the model runs.
 */
class FeaturesCommandTest {

    @Test
    void vitDetPyramidIsWrittenAndLooksLikeSomething(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("vitdet");
        CliTest.Run r = CliTest.cli("features", "--model", Fixtures.prefix("vitdet_sfp") + ".safetensors",
                "--image", CliTest.PHOTO.toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(out.resolve("photo.features.safetensors"))) {
            assertEquals(java.util.List.of("p2", "p3", "p4", "p5", "p6", "last_feat"), f.names());
            assertArrayEquals(new long[] {1, 32, 32, 32}, f.info("p2").shape());
            assertArrayEquals(new long[] {1, 32, 2, 2}, f.info("p6").shape());
            assertArrayEquals(new long[] {1, 64, 8, 8}, f.info("last_feat").shape());
        }
        BufferedImage p2 = ImageIO.read(out.resolve("photo.p2.png").toFile());
        assertEquals(128, p2.getWidth());
        assertEquals(128, p2.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < p2.getHeight(); y += 4) {
            for (int x = 0; x < p2.getWidth(); x += 4) {
                colours.add(p2.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 50, "p2.png looks blank: " + colours.size() + " colours");

        CliTest.Run again = CliTest.cli("features", "--model", Fixtures.prefix("vitdet_sfp") + ".safetensors",
                "--image", CliTest.PHOTO.toString(), "--out", out.toString());
        assertEquals(2, again.code());
        assertTrue(again.err().contains("photo.features.safetensors: exists"), again.err());
        // Refused before the model runs: nothing was computed for an output that cannot be written.
        assertTrue(!again.out().contains("running on"), again.out());
    }

    @Test
    void samEncoderWritesTokensAndNeck(@TempDir Path dir) throws IOException {
        CliTest.Run r = CliTest.cli("features", "--model", Fixtures.prefix("samvit_window") + ".safetensors",
                "--image", CliTest.PHOTO.toString(), "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("photo.features.safetensors"))) {
            assertArrayEquals(new long[] {1, 64, 8, 8}, f.info("tokens").shape());
            assertArrayEquals(new long[] {1, 32, 8, 8}, f.info("neck").shape());
        }
        assertEquals(128, ImageIO.read(dir.resolve("photo.neck.png").toFile()).getWidth());
    }

    @Test
    void aClassifierIsNotABackbone(@TempDir Path dir) {
        CliTest.Run r = CliTest.cli("features", "--model", CliTest.DEMO.toString(),
                "--image", CliTest.PHOTO.toString(), "--out", dir.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("is not a backbone") && r.err().contains("use classify"), r.err());
    }
}
