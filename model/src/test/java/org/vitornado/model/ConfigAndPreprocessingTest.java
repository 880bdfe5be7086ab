package org.vitornado.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.vitornado.model.image.Interpolation;
import org.vitornado.model.image.Planar;
import org.vitornado.model.image.Preprocessing;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitConfigReader;
import org.vitornado.model.vit.VitModel;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.model.vit.VitWeights;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

class ConfigAndPreprocessingTest {

    static final Path FILE = Path.of("config.json");

    static JsonObject json(String s) {
        return JsonParser.parseString(s).getAsJsonObject();
    }

    @Test
    void timmHubArchitectureNamesMapToPresets() {
        VitConfig b = VitConfigReader.read(json("{\"architecture\": \"vit_base_patch16_224.augreg2_in21k_ft_in1k\", \"num_classes\": 1000}"), FILE);
        assertEquals(768, b.embedDim());
        assertEquals(12, b.depth());
        assertEquals(12, b.numHeads());
        assertEquals(3072, b.mlpHidden());
        assertEquals(224, b.imgH());
        assertEquals(1e-6f, b.eps());
        assertEquals(86_567_656L, VitWeights.parameterCount(b), "timm's vit_base_patch16_224 has 86,567,656 parameters");
        VitConfig l = VitConfigReader.read(json("{\"architecture\": \"vit_large_patch32_384\"}"), FILE);
        assertEquals(1024, l.embedDim());
        assertEquals(24, l.depth());
        assertEquals(32, l.patch());
        assertEquals(384, l.imgW());
        ModelException e = assertThrows(ModelException.class, () -> VitConfigReader.read(json("{\"architecture\": \"resnet50\"}"), FILE));
        assertTrue(e.getMessage().contains("resnet50"), e.getMessage());
    }

    @Test
    void huggingFaceConfig() {
        VitConfig c = VitConfigReader.read(json("""
                {"model_type": "vit", "hidden_size": 384, "num_hidden_layers": 12, "num_attention_heads": 6,
                 "intermediate_size": 1536, "image_size": 224, "patch_size": 16, "layer_norm_eps": 1e-12,
                 "id2label": {"0": "a", "1": "b"}}"""), FILE);
        assertEquals(384, c.embedDim());
        assertEquals(2, c.numClasses());
        assertEquals(1e-12f, c.eps());
        assertEquals(VitConfig.Pool.TOKEN, c.pool());
        assertEquals(VitConfig.PosResample.BICUBIC, c.posResample());
        ModelException act = assertThrows(ModelException.class,
                () -> VitConfigReader.read(json("{\"model_type\": \"vit\", \"hidden_act\": \"relu\"}"), FILE));
        assertTrue(act.getMessage().contains("hidden_act='relu'"), act.getMessage());
        ModelException type = assertThrows(ModelException.class, () -> VitConfigReader.read(json("{\"model_type\": \"bert\"}"), FILE));
        assertTrue(type.getMessage().contains("bert"), type.getMessage());
    }

    @Test
    void unsupportedTimmOptionsAreRejectedByName() {
        String ctor = "{\"constructor\": {\"class\": \"timm.models.vision_transformer.VisionTransformer\", \"args\": {%s}}}";
        for (String[] c : new String[][] {{"\"init_values\": 1e-5", "init_values"}, {"\"qk_norm\": true", "qk_norm"},
                {"\"reg_tokens\": 4", "reg_tokens"}, {"\"global_pool\": \"map\"", "global_pool='map'"}}) {
            ModelException e = assertThrows(ModelException.class, () -> VitConfigReader.read(json(ctor.formatted(c[0])), FILE));
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains("config.json"), e.getMessage());
        }
        VitConfig avg = VitConfigReader.read(json(ctor.formatted("\"global_pool\": \"avg\", \"class_token\": false")), FILE);
        assertTrue(avg.fcNorm());
        assertFalse(avg.finalNorm());
        assertThrows(ModelException.class, () -> VitConfigReader.read(json("{\"something\": 1}"), FILE));
        assertThrows(IllegalArgumentException.class,
                () -> VitConfigReader.read(json(ctor.formatted("\"embed_dim\": 100, \"num_heads\": 3")), FILE));
    }

    @Test
    void planOfViTBaseCountsTheUsualFlops() {
        VitConfig b = VitConfigReader.read(json("{\"architecture\": \"vit_base_patch16_224\"}"), FILE);
        VitPlan plan = VitModel.inspect(b, 1, 224, 224);
        assertEquals(197, plan.tokens());
        assertEquals(1 + 12 * 7 + 1 + 1 + 1, plan.tasks().size());
        double gflops = plan.tasks().stream().mapToLong(t -> t.cost().flops()).sum() / 1e9;
        // 17.6 GMACs = about 35 GFLOPs is the published count for ViT-B/16 at 224.
        assertTrue(gflops > 34.5 && gflops < 36.0, "GFLOPs " + gflops);
    }

    @Test
    void timmPreprocessingResizesShorterSideThenCrops() {
        float[] data = new float[3 * 100 * 200];
        for (int x = 0; x < 200; x++) {
            for (int y = 0; y < 100; y++) {
                for (int c = 0; c < 3; c++) {
                    data[(c * 100 + y) * 200 + x] = x < 100 ? 0 : 255;
                }
            }
        }
        Preprocessing pre = Preprocessing.timmDefault(32, 32);
        float[] out = pre.apply(new Planar(3, 100, 200, data));
        assertEquals(3 * 32 * 32, out.length);
        // Shorter side 100 -> floor(32 / 0.9) = 35, width 70; the centre 32 columns straddle the edge.
        assertEquals(-1f, out[0], 1e-3f, "left of the crop is black -> (0 - 0.5) / 0.5");
        assertEquals(1f, out[31], 1e-3f, "right of the crop is white");
        Preprocessing hf = Preprocessing.fromHuggingFace(json("{\"size\": {\"height\": 8, \"width\": 16}, \"resample\": 3, "
                + "\"image_mean\": [0.485, 0.456, 0.406], \"image_std\": [0.229, 0.224, 0.225]}"), FILE, 224, 224);
        assertTrue(hf.exactResize());
        assertEquals(Interpolation.BICUBIC, hf.interpolation());
        assertEquals(8 * 16 * 3, hf.apply(new Planar(3, 100, 200, data)).length);
        assertArrayEquals(new float[] {0.229f, 0.224f, 0.225f}, hf.std());
    }

    @Test
    void resizeKeepsConstantsAndAverages() {
        float[] v = new float[7 * 9];
        java.util.Arrays.fill(v, 42f);
        Planar p = new Planar(1, 7, 9, v).resize(3, 4, Interpolation.BICUBIC);
        for (float x : p.data()) {
            assertEquals(42f, x, 1e-4f);
        }
        float[] ramp = {0, 100, 200, 255};
        // PIL's antialiased bilinear halving: a triangle of half-width 2 input pixels, taps (0.75, 0.75, 0.25) / 1.75,
        // then rounded to 8 bits as PIL stores the result: 125 / 1.75 = 71.4 and 366.25 / 1.75 = 209.3.
        assertArrayEquals(new float[] {71, 209}, new Planar(1, 1, 4, ramp).resize(1, 2, Interpolation.BILINEAR).data(), 0f);
    }
}
