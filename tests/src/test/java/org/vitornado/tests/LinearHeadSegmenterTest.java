package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.segmentation.SegmentationModel;
import org.vitornado.model.segmentation.SegmentationModels;
import org.vitornado.model.segmentation.SegmentationPlan;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.runtime.ExecutionOptions;

import com.google.gson.JsonParser;

/**
 * The linear head on ViT patch tokens against float64: {@link ReferenceVit}'s tokens, the head per patch, then
 * PyTorch's bilinear (align_corners=False) to the input size, on a batch of non-square images whose grid (3x5)
 * differs from the pretraining one (4x4, so the position embedding is resampled too).
 */
class LinearHeadSegmenterTest {

    static final String CONFIG = """
            {"segmentation_head": "linear",
             "constructor": {"class": "timm.models.vision_transformer.VisionTransformer", "args": {
               "img_size": 64, "patch_size": 16, "embed_dim": 48, "depth": 2, "num_heads": 3, "num_classes": 4,
               "global_pool": "", "dynamic_img_size": true}}}
            """;

    @Test
    void matchesTheFloat64Reference() {
        SegmentationModel model = SegmentationModels.read(JsonParser.parseString(CONFIG).getAsJsonObject(), Path.of("config.json"));
        assertEquals(4, model.classes());
        VitConfig c = ((org.vitornado.model.segmentation.LinearHeadSegmenter) model).vit();
        MapTensors tensors = MapTensors.randomVit(c, 21);
        int batch = 2;
        int h = 48;
        int w = 80;
        Random r = new Random(3);
        float[] images = new float[batch * 3 * h * w];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) r.nextGaussian();
        }
        float[] got;
        try (SegmentationPlan plan = model.plan(tensors, batch, h, w, ExecutionOptions.defaults())) {
            plan.run(images);
            got = plan.logits();
        }
        assertEquals(batch * 4 * h * w, got.length);
        float[] head = tensors.values.get("head.weight");
        float[] bias = tensors.values.get("head.bias");
        int e = c.embedDim();
        int gh = h / 16;
        int gw = w / 16;
        double[] want = new double[got.length];
        for (int b = 0; b < batch; b++) {
            float[] image = Arrays.copyOfRange(images, b * 3 * h * w, (b + 1) * 3 * h * w);
            double[][] tokens = new ReferenceVit(c, tensors.values).forward(image, h, w).features();
            double[][][] scores = new double[4][gh][gw];
            for (int t = 0; t < gh * gw; t++) {
                for (int k = 0; k < 4; k++) {
                    double acc = bias[k];
                    for (int i = 0; i < e; i++) {
                        acc += head[k * e + i] * tokens[1 + t][i];
                    }
                    scores[k][t / gw][t % gw] = acc;
                }
            }
            for (int k = 0; k < 4; k++) {
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        want[((b * 4 + k) * h + y) * w + x] = bilinear(scores[k], (double) gh / h, (double) gw / w, y, x);
                    }
                }
            }
        }
        Comparison cmp = Comparison.of(got, VitDetReferenceTest.toFloat(want));
        assertTrue(cmp.within(1e-4), "relative L2 " + cmp.relativeL2());
    }

    /** F.interpolate(bilinear, align_corners=False) at output (y, x). */
    static double bilinear(double[][] m, double scaleY, double scaleX, int y, int x) {
        double sy = Math.max(scaleY * (y + 0.5) - 0.5, 0);
        double sx = Math.max(scaleX * (x + 0.5) - 0.5, 0);
        int y0 = (int) sy;
        int x0 = (int) sx;
        int y1 = Math.min(y0 + 1, m.length - 1);
        int x1 = Math.min(x0 + 1, m[0].length - 1);
        double ly = sy - y0;
        double lx = sx - x0;
        return (1 - ly) * ((1 - lx) * m[y0][x0] + lx * m[y0][x1]) + ly * ((1 - lx) * m[y1][x0] + lx * m[y1][x1]);
    }
}
