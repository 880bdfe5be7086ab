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
                g -> g.task("t", ConvKernels::conv2d, ctx, fi, fw, fb, out, batch, h, w, cin, cout, k, stride, pad, pad, groups, oh, ow, 0));
        assertClose("conv2d v1", out, want, 1e-5);
        if (groups == 1) {
            // Version 2: an implicit GEMM on 64 x 64 tiles (grouped convolutions keep version 1).
            FloatArray v2 = output(want.length);
            KernelHarness.run(ImplicitGemmConvKernels.conv2dGrid(batch, oh, ow, cout), new Object[] {fi, fw, fb}, v2,
                    g -> g.task("t", ImplicitGemmConvKernels::conv2d, ctx, fi, fw, fb, v2, batch, h, w, cin, cout, k, stride, pad, pad, oh, ow, 0));
            assertClose("conv2d v2", v2, want, 1e-5);
        }
    }

    /**
     * TensorFlow's "SAME" padding (timm's {@code StdConv2dSame}) against timm's own recipe, pad then convolve: odd and
     * even sides (so the padding above differs from the padding to the left), strides 1 and 2, with and without ReLU.
     */
    @ParameterizedTest(name = "b={0} {1}x{2} in={3} out={4} k={5} s={6} relu={7}")
    @CsvSource({"1,8,8,3,8,7,2,0", "2,9,6,5,7,3,2,1", "1,7,10,6,9,3,2,0", "1,5,6,4,5,3,1,1", "1,11,8,3,12,7,2,1", "1,4,4,8,70,1,2,0",
            "1,10,13,16,5,4,2,1"})
    void sameConvMatchesPadThenConvolve(int batch, int h, int w, int cin, int cout, int k, int stride, int relu) {
        Random r = new Random(h * 17L + w * 5L + cin + cout + k);
        int oh = ConvKernels.sameOutputSize(h, stride);
        int ow = ConvKernels.sameOutputSize(w, stride);
        int padTop = ConvKernels.samePadBefore(h, k, stride);
        int padLeft = ConvKernels.samePadBefore(w, k, stride);
        float[] in = random(r, batch * h * w * cin, 1);
        float[] wt = random(r, cout * cin * k * k, 0.3);
        float[] bias = random(r, cout, 0.2);
        double[] want = Convolution.conv2dSame(in, wt, bias, batch, h, w, cin, cout, k, stride);
        if (relu == 1) {
            want = java.util.Arrays.stream(want).map(v -> Math.max(v, 0)).toArray();
        }
        FloatArray fi = FloatArray.fromArray(in);
        FloatArray fw = FloatArray.fromArray(wt);
        FloatArray fb = FloatArray.fromArray(bias);
        FloatArray out = output(want.length);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(ConvKernels.grid(batch, oh, ow, cout), new Object[] {fi, fw, fb}, out,
                g -> g.task("t", ConvKernels::conv2d, ctx, fi, fw, fb, out, batch, h, w, cin, cout, k, stride, padTop, padLeft, 1, oh, ow, relu));
        assertClose("SAME conv2d v1", out, want, 1e-5);
        FloatArray v2 = output(want.length);
        KernelHarness.run(ImplicitGemmConvKernels.conv2dGrid(batch, oh, ow, cout), new Object[] {fi, fw, fb}, v2,
                g -> g.task("t", ImplicitGemmConvKernels::conv2d, ctx, fi, fw, fb, v2, batch, h, w, cin, cout, k, stride, padTop, padLeft, oh, ow, relu));
        assertClose("SAME conv2d v2", v2, want, 1e-5);
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
                g -> g.task("t", ConvKernels::maxPool2d, ctx, fi, out, batch, h, w, c, k, stride, 0, 0, oh, ow));
        assertClose("maxPool2d", out, want, 1e-7);
    }

    /**
     * Max pooling with -inf padding: torchvision ResNet's 3x3/2 padding 1 (floor output), and timm's
     * {@code MaxPool2dSame} 3x3/2 ("SAME": ceil output, the odd padding below and to the right, so an even side pads
     * 0 above and 1 below, an odd side 1 and 1). Inputs are all negative, so a padded zero would win if it counted.
     */
    @ParameterizedTest(name = "b={0} {1}x{2} c={3} k={4} s={5} pad={6} same={7}")
    @CsvSource({"1,8,8,5,3,2,1,0", "2,7,10,3,3,2,1,0", "1,8,8,4,3,2,0,1", "2,9,6,3,3,2,0,1", "1,38,45,2,3,2,0,1", "1,5,5,2,2,2,0,1"})
    void paddedMaxPoolMatchesFloat64(int batch, int h, int w, int c, int k, int stride, int pad, int same) {
        Random r = new Random(h * 19L + w + c + k + same);
        int oh = same == 1 ? ConvKernels.sameOutputSize(h, stride) : ConvKernels.outputSize(h, k, stride, pad);
        int ow = same == 1 ? ConvKernels.sameOutputSize(w, stride) : ConvKernels.outputSize(w, k, stride, pad);
        int padTop = same == 1 ? ConvKernels.samePadBefore(h, k, stride) : pad;
        int padLeft = same == 1 ? ConvKernels.samePadBefore(w, k, stride) : pad;
        float[] in = random(r, batch * h * w * c, 1);
        for (int i = 0; i < in.length; i++) {
            in[i] = -Math.abs(in[i]) - 0.01f;
        }
        double[] want = Convolution.maxPool2d(in, batch, h, w, c, k, stride, padTop, padLeft, oh, ow);
        FloatArray fi = FloatArray.fromArray(in);
        FloatArray out = output(want.length);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(ConvKernels.grid(batch, oh, ow, c), new Object[] {fi}, out,
                g -> g.task("t", ConvKernels::maxPool2d, ctx, fi, out, batch, h, w, c, k, stride, padTop, padLeft, oh, ow));
        assertClose("padded maxPool2d", out, want, 1e-7);
    }

    /** timm's "SAME" arithmetic on the cases its docs and the hybrid stem meet. */
    @org.junit.jupiter.api.Test
    void samePaddingArithmetic() {
        org.junit.jupiter.api.Assertions.assertEquals(32, ConvKernels.sameOutputSize(64, 2));
        org.junit.jupiter.api.Assertions.assertEquals(2, ConvKernels.samePadBefore(64, 7, 2)); // 5 in all: 2 above, 3 below
        org.junit.jupiter.api.Assertions.assertEquals(0, ConvKernels.samePadBefore(38, 3, 2)); // 1 in all, below
        org.junit.jupiter.api.Assertions.assertEquals(1, ConvKernels.samePadBefore(45, 3, 2)); // 2 in all
        org.junit.jupiter.api.Assertions.assertEquals(23, ConvKernels.sameOutputSize(45, 2));
        org.junit.jupiter.api.Assertions.assertEquals(1, ConvKernels.samePadBefore(9, 3, 1)); // stride 1, odd kernel: (k - 1) / 2
        org.junit.jupiter.api.Assertions.assertEquals(0, ConvKernels.samePadBefore(8, 1, 2));
    }
}
