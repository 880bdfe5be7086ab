package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.segmentation.SegmentationModels;
import org.vitornado.model.segmentation.SegmentationPlan;
import org.vitornado.model.segmentation.SetrConfig;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.runtime.ExecutionOptions;

import com.google.gson.JsonParser;

/**
 * SETR (naive, PUP, MLA) against {@link ReferenceSetr}, a float64 transcription of mmsegmentation's heads, on top of
 * {@link ReferenceVit}'s block outputs: random weights with mmseg's names (the backbone's renamed from timm's, which
 * also checks the mmseg ViT name mapping), a non-square input whose grid (4x6) differs from the pretraining grid
 * (4x4, position embedding resized bilinearly as SETR configures it), both align_corners settings.
 */
class SetrTest {

    static String config(String head, String neck, String outIndices) {
        return """
                {"model": {"type": "EncoderDecoder",
                  "data_preprocessor": {"mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375]},
                  "backbone": {"type": "VisionTransformer", "img_size": [64, 64], "patch_size": 16, "in_channels": 3, "embed_dims": 32,
                    "num_layers": 4, "num_heads": 2, "out_indices": %s, "drop_rate": 0.1, "with_cls_token": true,
                    "norm_cfg": {"type": "LN", "eps": 1e-6, "requires_grad": true}, "interpolate_mode": "bilinear"},
                  %s
                  "decode_head": %s}}
                """.formatted(outIndices, neck, head);
    }

    static final String NAIVE = config("""
            {"type": "SETRUPHead", "in_channels": 32, "channels": 16, "in_index": 3, "num_classes": 5, "dropout_ratio": 0,
             "norm_cfg": {"type": "SyncBN", "requires_grad": true}, "num_convs": 1, "up_scale": 4, "kernel_size": 1, "align_corners": false}
            """, "", "[0, 1, 2, 3]");
    static final String PUP = config("""
            {"type": "SETRUPHead", "in_channels": 32, "channels": 16, "in_index": -1, "num_classes": 5, "num_convs": 3, "up_scale": 2,
             "kernel_size": 3, "norm_cfg": {"type": "BN"}, "align_corners": true}
            """, "", "[1, 3]");
    static final String MLA = config("""
            {"type": "SETRMLAHead", "in_channels": [16, 16, 16, 16], "channels": 32, "in_index": [0, 1, 2, 3], "mla_channels": 8,
             "up_scale": 4, "num_classes": 5, "norm_cfg": {"type": "SyncBN", "requires_grad": true}, "align_corners": false}
            """, """
            "neck": {"type": "MLANeck", "in_channels": [32, 32, 32, 32], "out_channels": 16,
                     "norm_cfg": {"type": "SyncBN", "requires_grad": true}, "act_cfg": {"type": "ReLU"}},
            """, "[0, 1, 2, 3]");

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"naive", "pup", "mla"})
    void headsMatchTheFloat64Reference(String variant) {
        String json = switch (variant) {
            case "naive" -> NAIVE;
            case "pup" -> PUP;
            default -> MLA;
        };
        SetrConfig c = (SetrConfig) SegmentationModels.read(JsonParser.parseString(json).getAsJsonObject(), Path.of("setr.json"));
        VitConfig vit = c.vit();
        assertEquals(VitConfig.PosResample.BILINEAR, vit.posResample());
        assertEquals(1e-6f, vit.eps());
        MapTensors timm = MapTensors.randomVit(vit, 41);
        MapTensors mmseg = new MapTensors();
        timm.values.forEach((name, v) -> mmseg.put(mmsegName(name), v, timm.shapes.get(name)));
        Random r = new Random(42);
        if (variant.equals("mla")) {
            for (int i = 0; i < 4; i++) {
                norm(mmseg, r, "neck.norm." + i, 32);
                convModule(mmseg, r, "neck.mla.channel_proj." + i, 16, 32, 1);
                convModule(mmseg, r, "neck.mla.feat_extract." + i, 16, 16, 3);
                convModule(mmseg, r, "decode_head.up_convs." + i + ".0", 8, 16, 3);
                convModule(mmseg, r, "decode_head.up_convs." + i + ".1", 8, 8, 3);
            }
            conv(mmseg, r, "decode_head.conv_seg", 5, 32, 1, true);
        } else {
            norm(mmseg, r, "decode_head.norm", 32);
            int convs = variant.equals("naive") ? 1 : 3;
            int k = variant.equals("naive") ? 1 : 3;
            for (int i = 0; i < convs; i++) {
                convModule(mmseg, r, "decode_head.up_convs." + i + ".0", 16, i == 0 ? 32 : 16, k);
            }
            conv(mmseg, r, "decode_head.conv_seg", 5, 16, 1, true);
        }

        int h = 64;
        int w = 96;
        float[] image = new float[3 * h * w];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) r.nextGaussian();
        }
        float[] got;
        try (SegmentationPlan plan = c.plan(mmseg, 1, h, w, ExecutionOptions.defaults())) {
            plan.run(image);
            got = plan.logits();
        }

        List<double[][]> blocks = new ReferenceVit(vit, timm.values).forward(image, h, w).blocks();
        List<double[][][]> levels = new ArrayList<>();
        for (int i : c.outIndices()) {
            levels.add(ReferenceSetr.grid(blocks.get(i), h / 16, w / 16));
        }
        ReferenceSetr ref = new ReferenceSetr(mmseg.values, 1e-5, c.alignCorners());
        double[][][] scores = switch (variant) {
            case "naive" -> ref.upHead(levels.get(3), 1, 16, 1, 4, 1e-6);
            case "pup" -> ref.upHead(levels.get(1), 3, 16, 3, 2, 1e-6);
            default -> ref.mla(levels, 16, 8, 4, 1e-6);
        };
        float[] want = ReferenceSetr.nchw(ref.resize(scores, h, w));
        Comparison cmp = Comparison.of(got, want);
        assertTrue(cmp.within(1e-4), variant + ": relative L2 " + cmp.relativeL2());
    }

    @org.junit.jupiter.api.Test
    void inconsistentConfigsAreRejectedByName() {
        String badIndex = NAIVE.replace("\"in_index\": 3", "\"in_index\": 7");
        ModelException e = assertThrows(ModelException.class,
                () -> SegmentationModels.read(JsonParser.parseString(badIndex).getAsJsonObject(), Path.of("setr.json")));
        assertTrue(e.getMessage().contains("setr.json") && e.getMessage().contains("in_index 7"), e.getMessage());
        String badChannels = MLA.replace("\"channels\": 32", "\"channels\": 30");
        e = assertThrows(ModelException.class,
                () -> SegmentationModels.read(JsonParser.parseString(badChannels).getAsJsonObject(), Path.of("setr.json")));
        assertTrue(e.getMessage().contains("mla_channels"), e.getMessage());
    }

    /** timm ViT names to mmseg's VisionTransformer names under {@code backbone.}. */
    static String mmsegName(String timm) {
        String n = timm.replace("patch_embed.proj.", "patch_embed.projection.").replace("blocks.", "layers.")
                .replace(".norm1.", ".ln1.").replace(".norm2.", ".ln2.").replace(".attn.qkv.weight", ".attn.attn.in_proj_weight")
                .replace(".attn.qkv.bias", ".attn.attn.in_proj_bias").replace(".attn.proj.", ".attn.attn.out_proj.")
                .replace(".mlp.fc1.", ".ffn.layers.0.0.").replace(".mlp.fc2.", ".ffn.layers.1.");
        return "backbone." + n;
    }

    private static void norm(MapTensors t, Random r, String name, int n) {
        float[] g = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = 0.5f + r.nextFloat();
            b[i] = (float) (0.2 * r.nextGaussian());
        }
        t.put(name + ".weight", g, n);
        t.put(name + ".bias", b, n);
    }

    private static void conv(MapTensors t, Random r, String name, int out, int in, int k, boolean bias) {
        float[] v = new float[out * in * k * k];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() / Math.sqrt(in * k * k));
        }
        t.put(name + ".weight", v, out, in, k, k);
        if (bias) {
            float[] b = new float[out];
            for (int i = 0; i < out; i++) {
                b[i] = (float) (0.2 * r.nextGaussian());
            }
            t.put(name + ".bias", b, out);
        }
    }

    private static void convModule(MapTensors t, Random r, String name, int out, int in, int k) {
        conv(t, r, name + ".conv", out, in, k, false);
        norm(t, r, name + ".bn", out);
        float[] mean = new float[out];
        float[] var = new float[out];
        for (int i = 0; i < out; i++) {
            mean[i] = (float) (0.2 * r.nextGaussian());
            var[i] = 0.5f + 1.5f * r.nextFloat();
        }
        t.put(name + ".bn.running_mean", mean, out);
        t.put(name + ".bn.running_var", var, out);
    }

}
