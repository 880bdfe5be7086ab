package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitornado.model.fixture.Fixture;
import org.vitornado.model.io.TensorLoader;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitConfigReader;
import org.vitornado.model.vit.VitModel;
import org.vitornado.model.vit.VitOutput;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.weights.SafetensorsFile;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** The timm hybrid ViT where a user meets it: timm Hub configs, presets, and {@code classify} on a checkpoint directory. */
class HybridVitTest {

    /** timm's registered hybrids from a Hub config; parameters are the upstream models' state_dict element counts (timm v1.0.28). */
    @Test
    void timmHubArchitecturesAreTheRegisteredHybrids() {
        JsonObject hub = JsonParser.parseString("{\"architecture\": \"vit_base_r50_s16_384.orig_in21k_ft_in1k\", \"num_classes\": 1000}").getAsJsonObject();
        VitConfig c = VitConfigReader.read(hub, Path.of("config.json"));
        assertNotNull(c.hybrid());
        assertEquals(java.util.List.of(3, 4, 9), java.util.Arrays.stream(c.hybrid().layers()).boxed().toList());
        assertEquals(1024, c.hybrid().outChannels());
        assertEquals(24, c.gridH(), "384 / 16");
        assertEquals(98_950_952L, org.vitornado.model.vit.VitWeights.parameterCount(c));
        VitConfig small = VitConfigReader.timmPreset("vit_small_r26_s32_224");
        assertEquals(32, small.stride());
        assertEquals(36_431_912L, org.vitornado.model.vit.VitWeights.parameterCount(small));
        CliTest.Run r = CliTest.cli("info", "--model", "vit_base_r50_s16_384");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("parameters   98,950,952"), r.out());
    }

    /**
     * A hybrid checkpoint directory in timm's Hub layout (config.json with the architecture, its arguments and
     * pretrained_cfg; model.safetensors) classifies a picture as the fixture's model does on the same pixels:
     * {@code classify --json}'s scores equal the softmax of the verified model run on the picture's normalised pixels.
     */
    @Test
    void classifyRunsAHybridCheckpointDirectory(@TempDir Path dir) throws IOException {
        Fixture f = Fixture.read(Fixtures.prefix("vit_hybrid"));
        Path model = Files.createDirectories(dir.resolve("vit_hybrid_tiny"));
        Files.copy(f.weights(), model.resolve("model.safetensors"));
        JsonObject embed = f.description().getAsJsonObject("constructor").getAsJsonObject("args").getAsJsonObject("embed_layer");
        JsonObject config = JsonParser.parseString("""
                {"architecture": "vit_base_r50_s16_224", "num_classes": 7,
                 "model_args": {"img_size": 64, "embed_dim": 48, "depth": 2, "num_heads": 3},
                 "label_names": ["a", "b", "c", "d", "e", "f", "g"],
                 "pretrained_cfg": {"input_size": [3, 64, 64], "interpolation": "bicubic", "crop_pct": 1.0, "crop_mode": "center",
                                    "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5]}}
                """).getAsJsonObject();
        config.getAsJsonObject("model_args").add("embed_layer", embed);
        Files.writeString(model.resolve("config.json"), config.toString());

        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        float[] pixels = new float[3 * 64 * 64];
        java.util.Random random = new java.util.Random(7);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                int[] rgb = {(x * 4 + random.nextInt(8)) & 255, (y * 4) & 255, random.nextInt(256)};
                img.setRGB(x, y, rgb[0] << 16 | rgb[1] << 8 | rgb[2]);
                for (int ch = 0; ch < 3; ch++) {
                    pixels[ch * 64 * 64 + y * 64 + x] = (rgb[ch] / 255f - 0.5f) / 0.5f;
                }
            }
        }
        Path png = dir.resolve("picture.png");
        ImageIO.write(img, "png", png.toFile());

        VitConfig fixtureConfig = VitConfigReader.read(f.description(), f.json());
        float[] want;
        try (SafetensorsFile file = SafetensorsFile.open(f.weights());
                VitPlan plan = VitModel.load(fixtureConfig, new TensorLoader(file)).plan(1, 64, 64, EnumSet.of(VitOutput.PROBABILITIES),
                        ExecutionOptions.defaults())) {
            plan.run(pixels);
            want = plan.output(VitOutput.PROBABILITIES);
        }

        CliTest.Run r = CliTest.cli("classify", "--model", model.toString(), "--image", png.toString(), "--top", "7", "--json");
        assertEquals(0, r.code(), r.out() + r.err());
        JsonArray labels = JsonParser.parseString(r.out().strip()).getAsJsonObject().getAsJsonArray("labels");
        assertEquals(7, labels.size());
        for (var e : labels) {
            JsonObject l = e.getAsJsonObject();
            int k = l.get("index").getAsInt();
            assertEquals(want[k], l.get("score").getAsFloat(), 1e-5, "class " + k);
            assertEquals(String.valueOf((char) ('a' + k)), l.get("label").getAsString());
        }
    }
}
