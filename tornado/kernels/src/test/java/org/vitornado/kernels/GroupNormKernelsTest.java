package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.GroupNorm;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * GroupNorm's two kernels (statistics, then apply: plain, + ReLU, + shortcut and ReLU) against {@link GroupNorm} in
 * float64: one channel per group, odd pixel counts, a batch whose images differ in scale, values far from zero mean.
 */
class GroupNormKernelsTest {

    @ParameterizedTest(name = "b={0} {1}x{2} c={3} groups={4} mode={5}")
    @CsvSource({"1,8,8,64,32,0", "2,5,7,32,32,1", "1,3,11,96,32,2", "2,9,4,6,3,1", "1,1,1,64,32,0", "1,13,17,256,32,2"})
    void matchesFloat64(int batch, int h, int w, int channels, int groups, int mode) {
        Random r = new Random(h * 7L + w + channels + groups + mode);
        int pixels = h * w;
        float[] x = random(r, batch * pixels * channels, 1);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * (1 + i / (pixels * channels)) + 3f; // a mean of 3 and a different spread per image
        }
        float[] weight = random(r, channels, 0.5);
        float[] bias = random(r, channels, 0.2);
        float[] shortcut = random(r, x.length, 1);
        float eps = 1e-5f;
        double[] want = GroupNorm.groupNorm(x, weight, bias, mode == 2 ? shortcut : null, batch, pixels, channels, groups, eps, mode >= 1);
        FloatArray fx = FloatArray.fromArray(x);
        FloatArray fw = FloatArray.fromArray(weight);
        FloatArray fb = FloatArray.fromArray(bias);
        FloatArray fs = FloatArray.fromArray(shortcut);
        FloatArray stats = output(2 * batch * groups);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(GroupNormKernels.statsGrid(batch, groups), new Object[] {fx}, stats,
                g -> g.task("t", GroupNormKernels::groupStats, ctx, fx, stats, batch, h, w, channels, groups, eps));
        FloatArray out = output(x.length);
        if (mode == 2) {
            KernelHarness.run(GroupNormKernels.applyGrid(batch, pixels, channels), new Object[] {fx, stats, fw, fb, fs}, out,
                    g -> g.task("t", GroupNormKernels::groupNormAddRelu, ctx, fx, stats, fw, fb, fs, out, batch, pixels, channels, groups));
        } else {
            KernelHarness.run(GroupNormKernels.applyGrid(batch, pixels, channels), new Object[] {fx, stats, fw, fb}, out,
                    g -> g.task("t", GroupNormKernels::groupNorm, ctx, fx, stats, fw, fb, out, batch, pixels, channels, groups, mode));
        }
        // One value per group (1x1, one channel per group) normalises to 0: the bias alone, exactly.
        assertClose("GroupNorm mode " + mode, out, want, 1e-5);
    }
}
