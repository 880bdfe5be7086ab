package org.vitornado.model.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * The model input tensors match what the upstream preprocessing made of the same files ({@code tools/make_pil_fixtures.py}):
 * timm's {@code create_transform(**resolve_data_config(pretrained_cfg))} and Hugging Face's {@code ViTImageProcessor},
 * both on PIL's decoding. Shorter-side resize with crop_pct below 1, exact resize, upsampling, non-square targets,
 * bicubic and bilinear, a grey and a CMYK source.
 */
class PilPreprocessingTest {

    static List<String> cases() throws IOException {
        return PilDecodingTest.manifest().getAsJsonObject("preprocessing").keySet().stream().sorted().toList();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesUpstreamPreprocessing(String name) throws IOException {
        JsonObject c = PilDecodingTest.manifest().getAsJsonObject("preprocessing").getAsJsonObject(name);
        int h = c.getAsJsonArray("shape").get(1).getAsInt();
        int w = c.getAsJsonArray("shape").get(2).getAsInt();
        Path cfgFile = Path.of(name + ".json");
        Preprocessing pre = c.get("kind").getAsString().equals("timm")
                ? Preprocessing.fromTimm(c.getAsJsonObject("pretrained_cfg"), cfgFile, 224, 224)
                : Preprocessing.fromHuggingFace(c.getAsJsonObject("preprocessor_config"), cfgFile, 224, 224);
        assertEquals(h, pre.height(), name);
        assertEquals(w, pre.width(), name);
        String image = c.get("image").getAsString();
        String file = PilDecodingTest.manifest().getAsJsonObject("images").getAsJsonObject(image).get("file").getAsString();
        float[] got = pre.apply(ImageReader.readRgb(PilDecodingTest.dir().resolve(file)));
        float[] want = f32(PilDecodingTest.dir().resolve(name + ".f32"));
        assertEquals(want.length, got.length, name);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(want[i] - got[i]);
            if (d > worst) {
                worst = d;
                at = i;
            }
        }
        // Both sides compute in float32 from the same 8-bit pixels; one ulp of the normalised value is ~5e-7.
        assertTrue(worst <= 2e-6, name + ": differs by " + worst + " at " + at + " (want " + (at < 0 ? 0 : want[at])
                + ", got " + (at < 0 ? 0 : got[at]) + ")");
    }

    @Test
    void badCropPctAndSizesAreErrorsThatNameTheKey() {
        JsonObject cfg = JsonParser.parseString("{\"crop_pct\": 0, \"input_size\": [3, 224, 224]}").getAsJsonObject();
        ModelException e = assertThrows(ModelException.class, () -> Preprocessing.fromTimm(cfg, Path.of("config.json"), 224, 224));
        assertTrue(e.getMessage().contains("crop_pct"), e.getMessage());
        JsonObject big = JsonParser.parseString("{\"input_size\": [3, 100000, 100000]}").getAsJsonObject();
        e = assertThrows(ModelException.class, () -> Preprocessing.fromTimm(big, Path.of("config.json"), 224, 224));
        assertTrue(e.getMessage().contains("input_size"), e.getMessage());
        JsonObject hf = JsonParser.parseString("{\"size\": {\"height\": -3, \"width\": 8}}").getAsJsonObject();
        e = assertThrows(ModelException.class, () -> Preprocessing.fromHuggingFace(hf, Path.of("preprocessor_config.json"), 224, 224));
        assertTrue(e.getMessage().contains("size"), e.getMessage());
    }

    private static float[] f32(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[b.remaining() / 4];
        b.asFloatBuffer().get(out);
        return out;
    }
}
