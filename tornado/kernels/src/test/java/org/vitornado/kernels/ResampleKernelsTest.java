package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Position-embedding resampling against dense float64 interpolation matrices built from PyTorch's formulas
 * (see ../shared/fixtures/README.md, "Resampling formulas"), up, down, non-square, with offset rows.
 */
class ResampleKernelsTest {

    static double cubic(double x, double a) {
        double ax = Math.abs(x);
        if (ax < 1) {
            return (a + 2) * ax * ax * ax - (a + 3) * ax * ax + 1;
        }
        return ax < 2 ? a * (ax * ax * ax - 5 * ax * ax + 8 * ax - 4) : 0;
    }

    /** PyTorch bicubic, antialias=True: support scaled by the downsampling factor, normalised weights. */
    static double[][] antialias(int in, int out) {
        double[][] m = new double[out][in];
        double scale = (double) in / out;
        double support = scale >= 1 ? 2 * scale : 2;
        double inv = scale >= 1 ? 1 / scale : 1;
        for (int i = 0; i < out; i++) {
            double center = scale * (i + 0.5);
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), in);
            double sum = 0;
            for (int j = lo; j < hi; j++) {
                sum += cubic((j - center + 0.5) * inv, -0.5);
            }
            for (int j = lo; j < hi; j++) {
                m[i][j] = cubic((j - center + 0.5) * inv, -0.5) / sum;
            }
        }
        return m;
    }

    /** PyTorch bicubic, align_corners=False, no antialias: four clamped taps, a = -0.75. */
    static double[][] plain(int in, int out) {
        double[][] m = new double[out][in];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            double s = scale * (i + 0.5) - 0.5;
            int f = (int) Math.floor(s);
            double t = s - f;
            double[] w = {cubic(t + 1, -0.75), cubic(t, -0.75), cubic(1 - t, -0.75), cubic(2 - t, -0.75)};
            for (int k = 0; k < 4; k++) {
                m[i][Math.min(Math.max(f - 1 + k, 0), in - 1)] += w[k];
            }
        }
        return m;
    }

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}, antialias={4}")
    @CsvSource({"4,4,5,7,true", "14,14,5,7,true", "5,7,3,11,true", "4,4,4,4,true", "6,6,8,4,true",
            "14,14,8,8,false", "4,4,5,7,false", "5,7,3,11,false"})
    void resampleMatchesPyTorchFormulas(int inH, int inW, int outH, int outW, boolean antialias) {
        int channels = 13;
        int inOffset = 1;
        int outOffset = 2;
        Random r = new Random(inH * 1000L + inW * 100L + outH * 10L + outW);
        float[] in = random(r, (inOffset + inH * inW) * channels, 1);
        double[][] my = antialias ? antialias(inH, outH) : plain(inH, outH);
        double[][] mx = antialias ? antialias(inW, outW) : plain(inW, outW);
        double[] want = new double[(outOffset + outH * outW) * channels];
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                for (int c = 0; c < channels; c++) {
                    double acc = 0;
                    for (int iy = 0; iy < inH; iy++) {
                        for (int ix = 0; ix < inW; ix++) {
                            acc += my[oy][iy] * mx[ox][ix] * in[(inOffset + iy * inW + ix) * channels + c];
                        }
                    }
                    want[(outOffset + oy * outW + ox) * channels + c] = acc;
                }
            }
        }
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

    /** PyTorch (bi)linear per axis: align_corners=False clamps the source at 0, True maps corners to corners. */
    static double[][] linear(int in, int out, boolean alignCorners) {
        double[][] m = new double[out][in];
        for (int i = 0; i < out; i++) {
            double s = alignCorners ? (out > 1 ? i * (in - 1.0) / (out - 1) : 0) : Math.max((double) in / out * (i + 0.5) - 0.5, 0);
            int i0 = (int) Math.floor(s);
            int i1 = Math.min(i0 + 1, in - 1);
            double l = s - i0;
            m[i][i0] += 1 - l;
            m[i][i1] += l;
        }
        return m;
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
        double[][] my = linear(inH, fullH, align == 1);
        double[][] mx = linear(inW, fullW, align == 1);
        double[] want = new double[batch * outH * outW * stride];
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < outH; y++) {
                for (int x = 0; x < outW; x++) {
                    for (int c = 0; c < channels; c++) {
                        double acc = 0;
                        for (int iy = 0; iy < inH; iy++) {
                            for (int ix = 0; ix < inW; ix++) {
                                acc += my[y][iy] * mx[x][ix] * in[((b * inH + iy) * inW + ix) * channels + c];
                            }
                        }
                        want[((b * outH + y) * outW + x) * stride + offset + c] = acc;
                    }
                }
            }
        }
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
