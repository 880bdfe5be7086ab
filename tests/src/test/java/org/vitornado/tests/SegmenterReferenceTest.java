package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.segmentation.SegmentationPlan;
import org.vitornado.model.segmentation.SegmenterConfig;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.runtime.ExecutionOptions;

import com.google.gson.JsonParser;

/**
 * DEPICT's Segmenter where the upstream fixture does not go: an input (50x70) that is not a multiple of the patch,
 * so the image is zero-padded to 64x80 and the upsampled masks cropped back; a position embedding resized bilinearly
 * from 3x3 to 4x5; a batch of two; both decoder modes. Against {@link ReferenceVit} + {@link ReferenceMaskTransformer}
 * + PyTorch's bilinear, in float64.
 */
class SegmenterReferenceTest {

    static final String CONFIG = """
            {"constructor": {"class": "segm.model.segmenter.Segmenter", "args": {
              "encoder": {"class": "segm.model.vit.VisionTransformer", "args": {"image_size": [48, 48], "patch_size": 16, "n_layers": 2,
                "d_model": 32, "d_ff": 64, "n_heads": 2, "n_cls": 7, "dropout": 0.0, "drop_path_rate": 0.0, "distilled": false, "channels": 3}},
              "decoder": {"class": "segm.model.decoder.MaskTransformer", "args": {"n_cls": 4, "patch_size": 16, "n_layers": 1, "n_heads": 2,
                "d_model": 32, "dropout": 0.0, "mode": "%s"}},
              "n_cls": 4}}}
            """;

    @ParameterizedTest
    @ValueSource(strings = {"sa", "ca"})
    void paddedNonSquareBatchMatchesFloat64(String mode) {
        SegmenterConfig c = SegmenterConfig.fromConstructor(JsonParser.parseString(CONFIG.formatted(mode)).getAsJsonObject(), Path.of("s.json"));
        VitConfig vit = c.encoder();
        MapTensors encoder = MapTensors.randomVit(vit, 5);
        MapTensors all = new MapTensors();
        encoder.values.forEach((n, v) -> all.put("encoder." + n, v, encoder.shapes.get(n)));
        Random r = new Random(6);
        int d = 32;
        all.put("decoder.cls_emb", gaussian(r, 4 * d, 1), 1, 4, d);
        if (mode.equals("sa")) {
            layer(all, r, "decoder.net.layers.0.", 200, d);
            norm(all, r, "decoder.decoder_norm", d);
        } else {
            layer(all, r, "decoder.snet.layers.0.", 200, d);
            for (int l = 0; l < 3; l++) {
                layer(all, r, "decoder.cnet.layers." + l + ".", 100, d);
            }
            norm(all, r, "decoder.snorm", d);
            norm(all, r, "decoder.cnorm", d);
        }
        norm(all, r, "decoder.mask_norm", 4);

        int batch = 2;
        int h = 50;
        int w = 70;
        float[] images = gaussian(r, batch * 3 * h * w, 1);
        float[] got;
        try (SegmentationPlan plan = c.plan(all, batch, h, w, ExecutionOptions.defaults())) {
            plan.run(images);
            got = plan.logits();
        }

        int ph = 64;
        int pw = 80;
        double[] want = new double[got.length];
        for (int b = 0; b < batch; b++) {
            float[] padded = new float[3 * ph * pw];
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < h; y++) {
                    System.arraycopy(images, ((b * 3 + ch) * h + y) * w, padded, (ch * ph + y) * pw, w);
                }
            }
            double[][] tokens = new ReferenceVit(vit, encoder.values).forward(padded, ph, pw).features();
            double[][] patches = java.util.Arrays.copyOfRange(tokens, 1, tokens.length);
            double[][] masks = new ReferenceMaskTransformer(all.values, "decoder.", 2, 4, 1, mode.equals("sa")).forward(patches);
            double[][][] grid = new double[4][5][];
            for (int i = 0; i < 20; i++) {
                grid[i / 5][i % 5] = masks[i];
            }
            ReferenceSetr resize = new ReferenceSetr(all.values, 0, false);
            double[][][] up = resize.resize(grid, ph, pw);
            for (int k = 0; k < 4; k++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        want[((b * 4 + k) * h + y) * w + x] = up[y][x][k];
                    }
                }
            }
        }
        Comparison cmp = Comparison.of(got, VitDetReferenceTest.toFloat(want));
        assertTrue(cmp.within(1e-4), mode + ": relative L2 " + cmp.relativeL2());
    }

    private static void layer(MapTensors t, Random r, String p, int inner, int d) {
        norm(t, r, p + "norm", d);
        t.put(p + "fn.proj", gaussian(r, inner * d, 1 / Math.sqrt(d)), inner, d);
        t.put(p + "fn.step_size", new float[] {0.5f + r.nextFloat()}, 1);
    }

    private static void norm(MapTensors t, Random r, String name, int n) {
        float[] g = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = 0.5f + r.nextFloat();
        }
        t.put(name + ".weight", g, n);
        t.put(name + ".bias", gaussian(r, n, 0.2), n);
    }

    private static float[] gaussian(Random r, int n, double std) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return v;
    }
}
