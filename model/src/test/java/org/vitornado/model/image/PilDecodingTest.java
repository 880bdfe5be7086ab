package org.vitornado.model.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * Every image of the PIL fixture ({@code tools/make_pil_fixtures.py}: Pillow 9.4 decoded each file with
 * {@code convert("RGB")}) decodes to exactly PIL's pixels, and every file PIL refuses is refused with its name.
 */
class PilDecodingTest {

    static Path dir() {
        try {
            return Path.of(PilDecodingTest.class.getResource("/pil/manifest.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonObject manifest() throws IOException {
        return JsonParser.parseString(Files.readString(dir().resolve("manifest.json"))).getAsJsonObject();
    }

    static List<String> images() throws IOException {
        return manifest().getAsJsonObject("images").keySet().stream().sorted().toList();
    }

    static List<String> refused() throws IOException {
        return manifest().getAsJsonObject("errors").keySet().stream().sorted().toList();
    }

    /** PIL's {@code convert("RGB")} of {@code name}, planar 0..255. */
    static Planar expected(String name) throws IOException {
        JsonObject e = manifest().getAsJsonObject("images").getAsJsonObject(name);
        int w = e.get("width").getAsInt();
        int h = e.get("height").getAsInt();
        byte[] raw = Files.readAllBytes(dir().resolve(name + ".rgb"));
        assertEquals(3L * w * h, raw.length, name + ".rgb");
        float[] planar = new float[raw.length];
        for (int i = 0; i < w * h; i++) {
            for (int c = 0; c < 3; c++) {
                planar[c * w * h + i] = raw[3 * i + c] & 0xFF;
            }
        }
        return new Planar(3, h, w, planar);
    }

    @ParameterizedTest
    @MethodSource("images")
    void decodesAsPil(String name) throws IOException {
        JsonObject e = manifest().getAsJsonObject("images").getAsJsonObject(name);
        Planar want = expected(name);
        Planar got = ImageReader.readRgb(dir().resolve(e.get("file").getAsString()));
        assertEquals(want.height(), got.height(), name);
        assertEquals(want.width(), got.width(), name);
        int differ = 0;
        int worst = 0;
        for (int i = 0; i < want.data().length; i++) {
            int d = (int) Math.abs(want.data()[i] - got.data()[i]);
            differ += d != 0 ? 1 : 0;
            worst = Math.max(worst, d);
        }
        assertEquals(0, differ, name + " (" + e.get("note").getAsString() + "): " + differ + " of " + want.data().length
                + " values differ from PIL's, by up to " + worst);
    }

    /** A file's bytes (a Spark task's input) decode to the same pixels as the file. */
    @ParameterizedTest
    @MethodSource("images")
    void decodesBytesAsTheFile(String name) throws IOException {
        Path file = dir().resolve(manifest().getAsJsonObject("images").getAsJsonObject(name).get("file").getAsString());
        Planar want = ImageReader.readRgb(file);
        Planar got = ImageReader.readRgb(Files.readAllBytes(file), "bytes of " + name);
        assertEquals(want.height(), got.height(), name);
        assertEquals(want.width(), got.width(), name);
        assertArrayEquals(want.data(), got.data(), name);
    }

    @ParameterizedTest
    @MethodSource("refused")
    void refusesTheBytesPilRefuses(String name) throws IOException {
        String file = manifest().getAsJsonObject("errors").getAsJsonObject(name).get("file").getAsString();
        byte[] content = Files.readAllBytes(dir().resolve(file));
        ModelException e = assertThrows(ModelException.class, () -> ImageReader.readRgb(content, "bytes of " + file));
        assertTrue(e.getMessage().contains("bytes of " + file), e.getMessage());
    }

    @ParameterizedTest
    @MethodSource("refused")
    void refusesWhatPilRefuses(String name) throws IOException {
        String file = manifest().getAsJsonObject("errors").getAsJsonObject(name).get("file").getAsString();
        ModelException e = assertThrows(ModelException.class, () -> ImageReader.readRgb(dir().resolve(file)));
        assertTrue(e.getMessage().contains(file), e.getMessage());
    }

    @Test
    void theFixtureCoversEveryModeTheIssueNames() throws IOException {
        Map<String, String> modes = new java.util.TreeMap<>();
        manifest().getAsJsonObject("images").entrySet().forEach(en -> modes.put(en.getKey(), en.getValue().getAsJsonObject().get("pil_mode").getAsString()));
        for (String mode : List.of("L", "LA", "P", "RGB", "RGBA", "I", "CMYK", "1")) {
            assertTrue(modes.containsValue(mode), "no image opens in PIL mode " + mode + ": " + modes);
        }
        assertTrue(modes.containsKey("ycck") && modes.containsKey("icc") && modes.containsKey("grey16"), modes.toString());
    }
}
