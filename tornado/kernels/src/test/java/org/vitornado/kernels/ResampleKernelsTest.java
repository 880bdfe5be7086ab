package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.Resample;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Position-embedding resampling and bilinear resizing against dense float64 interpolation matrices built from
 * PyTorch's formulas ({@link Resample}), up, down, non-square, with offset rows.
 */
class ResampleKernelsTest {

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}, antialias={4}")
    @CsvSource({"4,4,5,7,true", "14,14,5,7,true", "5,7,3,11,true", "4,4,4,4,true", "6,6,8,4,true",
            "14,14,8,8,false", "4,4,5,7,false", "5,7,3,11,false"})
    void resampleMatchesPyTorchFormulas(int inH, int inW, int outH, int outW, boolean antialias) {
        int channels = 13;
        int inOffset = 1;
        int outOffset = 2;
        Random r = new Random(inH * 1000L + inW * 100L + outH * 10L + outW);
        float[] in = random(r, (inOffset + inH * inW) * channels, 1);
        double[] want = antialias ? Resample.bicubicAntialias(in, inH, inW, outH, outW, channels, inOffset, outOffset)
                : Resample.bicubic(in, inH, inW, outH, outW, channels, inOffset, outOffset);
        FloatArray fin = FloatArray.fromArray(in);
        FloatArray out = output(want.length); // rows before the offset stay zero: the kernel must not write them
        KernelContext ctx = new KernelContext();
        if (antialias) {
            KernelHarness.run(ResampleKernels.grid(outH, outW, channels), new Object[] {fin}, out,
                    g -> g.task("t", ResampleKernels::bicubicAntialias, ctx, fin, out, inH, inW, outH, outW, channels, inOffset, outOffset));
        } else {
            KernelHarness.run(ResampleKernels.grid(outH, outW, channels), new Object[] {fin}, out,
                    g -> g.task("t", ResampleKernels::bicubic, ctx, fin, out, inH, inW, outH, outW, channels, inOffset, outOffset));
        }
        assertClose("resample", out, want, 1e-6);
    }

    /** Up, down, non-square, identity, 1-pixel targets, a crop of the full result, and a channel offset in wider rows. */
    @ParameterizedTest(name = "batch={0} {1}x{2} -> {3}x{4} crop {5}x{6} channels={7} align={8} stride={9} offset={10}")
    @CsvSource({"1,4,4,64,64,64,64,5,0,5,0", "2,4,4,64,64,64,64,5,1,5,0", "1,7,3,16,29,16,29,3,0,3,0", "2,16,16,16,16,16,16,6,1,6,0",
            "1,9,13,4,5,4,5,2,0,2,0", "1,9,13,4,5,4,5,2,1,2,0", "2,5,6,24,30,21,26,3,0,3,0", "1,2,4,8,8,8,8,4,0,16,8",
            "1,3,3,1,1,1,1,2,1,2,0", "3,1,1,5,7,5,7,2,0,2,0"})
    void bilinearMatchesPyTorchFormulas(int batch, int inH, int inW, int fullH, int fullW, int outH, int outW, int channels, int align,
            int stride, int offset) {
        Random r = new Random(inH * 31L + fullW + align);
        float[] in = random(r, batch * inH * inW * channels, 1);
        double[] want = Resample.bilinear(in, batch, inH, inW, fullH, fullW, outH, outW, channels, align == 1, stride, offset);
        FloatArray fin = FloatArray.fromArray(in);
        FloatArray out = output(batch * outH * outW * stride);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(ResampleKernels.bilinearGrid(batch, outH, outW, channels), new Object[] {fin}, out,
                t -> t.task("t", ResampleKernels::bilinear, ctx, fin, out, batch, inH, inW, fullH, fullW, outH, outW, channels, align,
                        stride, offset));
        // Compare the written channels only: TornadoVM does not upload an array a task only writes, so on a device
        // the other channels of wider rows are undefined.
        double[] got = new double[want.length];
        for (int i = 0; i < want.length; i++) {
            int c = i % stride;
            got[i] = c >= offset && c < offset + channels ? out.get(i) : 0.0;
        }
        assertClose("bilinear", FloatArray.fromArray(toFloats(got)), want, 1e-6);
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }
}
