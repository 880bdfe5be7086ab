package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitModel;
import org.vitornado.model.vit.VitOutput;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.runtime.ExecutionOptions;

/**
 * Fixtures of our own: random ViTs at shapes the upstream fixtures do not cover (non-square inputs, batch > 1,
 * odd widths, a resampled position embedding, avg pooling with fc_norm), checked against {@link ReferenceVit}
 * in float64.
 */
class VitReferenceTest {

    static final double TOLERANCE = 1e-4;

    @Test
    void classTokenModelOnNonSquareBatch() {
        VitConfig c = new VitConfig(64, 64, 16, 3, 48, 2, 3, 192, true, true, true, true, false, false, true, false,
                VitConfig.Pool.TOKEN, 7, true, 1e-6f, VitConfig.PosResample.BICUBIC_ANTIALIAS);
        check(c, 2, 48, 80, 11);
    }

    @Test
    void averagePoolModelWithOddWidthsAndUpsampledGrid() {
        VitConfig c = new VitConfig(48, 48, 8, 3, 36, 2, 3, 100, true, true, false, true, false, false, false, true,
                VitConfig.Pool.AVG, 5, true, 1e-6f, VitConfig.PosResample.BICUBIC_ANTIALIAS);
        check(c, 3, 64, 37, 12);
    }

    private static void check(VitConfig c, int batch, int height, int width, long seed) {
        MapTensors tensors = MapTensors.randomVit(c, seed);
        VitModel model = VitModel.load(c, tensors);
        ReferenceVit reference = new ReferenceVit(c, tensors.values);
        Random r = new Random(seed + 1);
        int per = 3 * height * width;
        float[] images = new float[batch * per];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) r.nextGaussian();
        }
        EnumSet<VitOutput> outputs = EnumSet.of(VitOutput.FEATURES, VitOutput.PRE_LOGITS, VitOutput.LOGITS);
        try (VitPlan plan = model.plan(batch, height, width, outputs, ExecutionOptions.defaults())) {
            plan.run(images);
            float[] features = plan.output(VitOutput.FEATURES);
            float[] pre = plan.output(VitOutput.PRE_LOGITS);
            float[] logits = plan.output(VitOutput.LOGITS);
            int t = plan.tokens();
            int e = c.embedDim();
            assertEquals(batch * t * e, features.length);
            for (int b = 0; b < batch; b++) {
                float[] image = java.util.Arrays.copyOfRange(images, b * per, (b + 1) * per);
                ReferenceVit.Result want = reference.forward(image, height, width);
                assertClose("features[" + b + "]", slice(features, b * t * e, t * e), flatten(want.features()));
                assertClose("pre_logits[" + b + "]", slice(pre, b * e, e), toFloat(want.preLogits()));
                assertClose("logits[" + b + "]", slice(logits, b * c.numClasses(), c.numClasses()), toFloat(want.logits()));
            }
        }
    }

    private static void assertClose(String what, float[] got, float[] want) {
        Comparison cmp = Comparison.of(got, want);
        assertTrue(cmp.within(TOLERANCE), what + ": relative L2 " + cmp.relativeL2() + " > " + TOLERANCE);
    }

    private static float[] slice(float[] a, int from, int n) {
        return java.util.Arrays.copyOfRange(a, from, from + n);
    }

    private static float[] flatten(double[][] x) {
        float[] out = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[i].length; j++) {
                out[i * x[i].length + j] = (float) x[i][j];
            }
        }
        return out;
    }

    private static float[] toFloat(double[] x) {
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) x[i];
        }
        return out;
    }
}
