package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.Convolution;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Channels-last convolutions (both versions) and max pooling against the float64 references of {@link Convolution}. */
class ConvKernelsTest {

    @ParameterizedTest(name = "b={0} {1}x{2} in={3} out={4} k={5} s={6} p={7} g={8}")
    @CsvSource({"1,8,8,16,8,1,1,0,1", "2,7,5,6,10,3,1,1,1", "1,9,11,8,8,3,2,1,1", "1,6,6,12,6,3,1,1,3", "2,5,7,4,4,3,1,1,4", "1,9,11,70,65,3,2,1,1",
            "2,6,6,3,130,7,2,3,1", "1,17,5,20,17,1,1,0,1"})
    void conv2dMatchesFloat64(int batch, int h, int w, int cin, int cout, int k, int stride, int pad, int groups) {
        Random r = new Random(h * 31L + w * 7L + cin + cout + k + groups);
        int oh = ConvKernels.outputSize(h, k, stride, pad);
        int ow = ConvKernels.outputSize(w, k, stride, pad);
        int inPer = cin / groups;
        float[] in = random(r, batch * h * w * cin, 1);
        float[] wt = random(r, cout * inPer * k * k, 0.3);
        float[] bias = random(r, cout, 0.2);
        double[] want = Convolution.conv2d(in, wt, bias, batch, h, w, cin, cout, k, stride, pad, groups);
        FloatArray fi = FloatArray.fromArray(in);
        FloatArray fw = FloatArray.fromArray(wt);
        FloatArray fb = FloatArray.fromArray(bias);
        FloatArray out = output(want.length);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(ConvKernels.grid(batch, oh, ow, cout), new Object[] {fi, fw, fb}, out,
                g -> g.task("t", ConvKernels::conv2d, ctx, fi, fw, fb, out, batch, h, w, cin, cout, k, stride, pad, groups, oh, ow));
        assertClose("conv2d v1", out, want, 1e-5);
        if (groups == 1) {
            // Version 2: an implicit GEMM on 64 x 64 tiles (grouped convolutions keep version 1).
            FloatArray v2 = output(want.length);
            KernelHarness.run(ImplicitGemmConvKernels.conv2dGrid(batch, oh, ow, cout), new Object[] {fi, fw, fb}, v2,
                    g -> g.task("t", ImplicitGemmConvKernels::conv2d, ctx, fi, fw, fb, v2, batch, h, w, cin, cout, k, stride, pad, oh, ow));
            assertClose("conv2d v2", v2, want, 1e-5);
        }
    }

    @ParameterizedTest(name = "b={0} {1}x{2} in={3} out={4}")
    @CsvSource({"1,4,4,8,6", "2,3,5,5,7", "1,9,7,33,17", "1,3,3,20,40"})
    void convTranspose2x2MatchesFloat64(int batch, int h, int w, int cin, int cout) {
        Random r = new Random(h + w + cin + cout);
        float[] in = random(r, batch * h * w * cin, 1);
        float[] wt = random(r, cin * cout * 4, 0.3);
        float[] bias = random(r, cout, 0.2);
        double[] want = Convolution.convTranspose2x2(in, wt, bias, batch, h, w, cin, cout);
        FloatArray fi = FloatArray.fromArray(in);
        FloatArray fw = FloatArray.fromArray(wt);
        FloatArray fb = FloatArray.fromArray(bias);
        FloatArray out = output(want.length);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(ConvKernels.grid(batch, 2 * h, 2 * w, cout), new Object[] {fi, fw, fb}, out,
                g -> g.task("t", ConvKernels::convTranspose2x2, ctx, fi, fw, fb, out, batch, h, w, cin, cout));
        assertClose("convTranspose2x2 v1", out, want, 1e-5);
        FloatArray v2 = output(want.length);
        KernelHarness.run(ImplicitGemmConvKernels.convTranspose2x2Grid(batch, h, w, cout), new Object[] {fi, fw, fb}, v2,
                g -> g.task("t", ImplicitGemmConvKernels::convTranspose2x2, ctx, fi, fw, fb, v2, batch, h, w, cin, cout));
        assertClose("convTranspose2x2 v2", v2, want, 1e-5);
    }

    @ParameterizedTest(name = "b={0} {1}x{2} c={3} k={4} s={5}")
    @CsvSource({"1,8,8,5,2,2", "2,7,5,3,2,2", "1,4,6,4,1,2", "1,5,5,2,3,1"})
    void maxPoolMatchesFloat64(int batch, int h, int w, int c, int k, int stride) {
        Random r = new Random(h * 13L + w + c + k);
        int oh = ConvKernels.outputSize(h, k, stride, 0);
        int ow = ConvKernels.outputSize(w, k, stride, 0);
        float[] in = random(r, batch * h * w * c, 1);
        double[] want = Convolution.maxPool2d(in, batch, h, w, c, k, stride);
        FloatArray fi = FloatArray.fromArray(in);
        FloatArray out = output(want.length);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(ConvKernels.grid(batch, oh, ow, c), new Object[] {fi}, out,
                g -> g.task("t", ConvKernels::maxPool2d, ctx, fi, out, batch, h, w, c, k, stride, oh, ow));
        assertClose("maxPool2d", out, want, 1e-7);
    }
}
