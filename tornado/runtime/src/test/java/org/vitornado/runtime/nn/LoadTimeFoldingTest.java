package org.vitornado.runtime.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.Convolution;
import org.vitornado.runtime.CompiledPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.tensor.FeatureMap;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The weight transforms done once at load time, checked through the convolution they feed against float64 written as
 * upstream runs it: timm's {@code StdConv2dSame} (standardise on every forward, pad, convolve) and a conv followed by
 * DETR's {@code FrozenBatchNorm2d}. Both kernel sets (portable and, where it runs, the JVM's) are checked.
 */
class LoadTimeFoldingTest {

    static float[] random(Random r, int n, double scale, double shift) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale + shift);
        }
        return a;
    }

    static float[] run(boolean cpu, FeatureMap in, Conv2d conv, int oh, int ow) {
        PlanBuilder g = new PlanBuilder("t", ExecutionOptions.defaults(), cpu);
        FeatureMap out = FeatureMap.allocate(in.batch(), oh, ow, conv.out());
        g.conv2d("conv", in, conv, out).output(out.data());
        try (CompiledPlan plan = g.compile()) {
            plan.run();
        }
        return out.data().toHeapArray();
    }

    static void assertClose(double[] want, float[] got, String what) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (want[i] - got[i]) * (want[i] - got[i]);
            norm += want[i] * want[i];
        }
        double rel = Math.sqrt(diff / norm);
        assertTrue(want.length == got.length && rel < 1e-5, what + ": relative L2 " + rel);
    }

    static boolean[] kernelSets() {
        boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
                && org.vitornado.runtime.Backend.detect() == org.vitornado.runtime.Backend.JVM;
        return vector ? new boolean[] {false, true} : new boolean[] {false};
    }

    /** Filters with a large common offset (what standardisation removes), eps 1e-8 as the hybrid ViT's and 1e-6 as timm's default. */
    @ParameterizedTest(name = "{0}x{1} {2}->{3} k={4} s={5} eps={6}")
    @CsvSource({"9,8,3,16,7,2,1e-8", "7,10,16,8,3,2,1e-8", "6,6,8,12,1,1,1e-6", "5,7,4,4,3,1,1e-8"})
    void weightStandardisationThenSameConvIsStdConv2dSame(int h, int w, int in, int out, int k, int stride, double eps) {
        Random r = new Random(h * 31L + w + in + out + k);
        float[] x = random(r, 2 * h * w * in, 1, 0);
        float[] weight = random(r, out * in * k * k, 0.2, 0.5);
        float[] bias = random(r, out, 0.2, 0);
        double[] want = Convolution.stdConv2dSame(x, weight, bias, eps, 2, h, w, in, out, k, stride);
        FloatArray standardised = WeightStandardisation.standardise(FloatArray.fromArray(weight), out, in * k * k, (float) eps);
        Conv2d conv = Conv2d.tfSame(standardised, FloatArray.fromArray(bias), in, out, k, stride);
        FeatureMap map = new FeatureMap(FloatArray.fromArray(x), 2, h, w, in);
        for (boolean cpu : kernelSets()) {
            assertClose(want, run(cpu, map, conv, conv.outputSize(h), conv.outputSize(w)), "StdConv2dSame, CPU kernels " + cpu);
        }
    }

    /** A conv with and without a bias, then a frozen batch norm with its own statistics, folded into one conv. */
    @ParameterizedTest(name = "{0}x{1} {2}->{3} k={4} s={5} p={6} bias={7}")
    @CsvSource({"9,8,3,16,7,2,3,0", "7,10,16,24,3,2,1,0", "6,6,8,12,1,1,0,1", "5,7,4,70,3,1,1,1"})
    void foldedFrozenBatchNormIsConvThenNorm(int h, int w, int in, int out, int k, int stride, int pad, int withBias) {
        Random r = new Random(h * 17L + w + in + out + k);
        float[] x = random(r, h * w * in, 1, 0);
        float[] weight = random(r, out * in * k * k, 0.3, 0);
        float[] bias = withBias == 1 ? random(r, out, 0.2, 0) : new float[out];
        float[] gamma = random(r, out, 0.2, 1);
        float[] beta = random(r, out, 0.2, 0);
        float[] mean = random(r, out, 0.5, 0);
        float[] var = new float[out];
        for (int o = 0; o < out; o++) {
            var[o] = (float) (0.2 + r.nextDouble() * 2);
        }
        double[] want = Convolution.conv2dThenBatchNorm(x, weight, bias, gamma, beta, mean, var, 1e-5, 1, h, w, in, out, k, stride, pad);
        FrozenBatchNorm bn = new FrozenBatchNorm(FloatArray.fromArray(gamma), FloatArray.fromArray(beta), FloatArray.fromArray(mean),
                FloatArray.fromArray(var), 1e-5f);
        Conv2d conv = bn.fold(new Conv2d(FloatArray.fromArray(weight), FloatArray.fromArray(bias), in, out, k, stride, pad, 1));
        FeatureMap map = new FeatureMap(FloatArray.fromArray(x), 1, h, w, in);
        for (boolean cpu : kernelSets()) {
            assertClose(want, run(cpu, map, conv, conv.outputSize(h), conv.outputSize(w)), "folded FrozenBatchNorm, CPU kernels " + cpu);
        }
    }
}
