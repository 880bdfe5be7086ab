package org.vitornado.reference;

/**
 * Resizing channels-last grids as PyTorch's {@code F.interpolate} does, written as dense float64 interpolation
 * matrices built from PyTorch's formulas (see {@code ../shared/fixtures/README.md}, "Resampling formulas"). Every
 * mode is separable: a per-axis matrix {@code m [out, in]} (row o holds the weights of output o over the inputs), and
 * {@code out[oy, ox, c] = sum_{iy, ix} my[oy, iy] mx[ox, ix] in[iy, ix, c]}.
 */
public final class Resample {

    private Resample() {
    }

    /**
     * Keys' cubic convolution kernel with parameter {@code a}:
     * {@code (a+2)|x|^3 - (a+3)|x|^2 + 1} for {@code |x| < 1}, {@code a(|x|^3 - 5|x|^2 + 8|x| - 4)} for
     * {@code |x| < 2}, else 0. PyTorch uses {@code a = -0.75} for bicubic and {@code a = -0.5} with antialias.
     */
    public static double cubic(double x, double a) {
        double ax = Math.abs(x);
        if (ax < 1) {
            return (a + 2) * ax * ax * ax - (a + 3) * ax * ax + 1;
        }
        return ax < 2 ? a * (ax * ax * ax - 5 * ax * ax + 8 * ax - 4) : 0;
    }

    /**
     * The {@code [out, in]} matrix of PyTorch's bicubic with {@code antialias=True} along one axis: centre
     * {@code scale (o + 0.5)}, {@code scale = in / out}; when downsampling the support widens to {@code 2 scale} and
     * the taps are scaled by {@code 1 / scale}; {@code a = -0.5}; each row normalised to sum 1.
     */
    public static double[][] bicubicAntialiasMatrix(int in, int out) {
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

    /**
     * The {@code [out, in]} matrix of PyTorch's bicubic with {@code align_corners=False} and no antialias along one
     * axis: source {@code s = (in / out)(o + 0.5) - 0.5}, four taps at {@code floor(s) - 1 .. floor(s) + 2} with
     * {@code a = -0.75}, indices clamped to the edge (clamped taps add up on the edge sample).
     */
    public static double[][] bicubicMatrix(int in, int out) {
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

    /**
     * The {@code [out, in]} matrix of PyTorch's (bi)linear along one axis: source
     * {@code s = max((in / out)(o + 0.5) - 0.5, 0)} with {@code align_corners=False}, {@code s = o (in - 1) / (out - 1)}
     * (corners to corners; 0 for a single output) with {@code align_corners=True}; weights {@code 1 - l} and {@code l}
     * on {@code floor(s)} and {@code min(floor(s) + 1, in - 1)}, {@code l = s - floor(s)}.
     */
    public static double[][] linearMatrix(int in, int out, boolean alignCorners) {
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

    /**
     * PyTorch's {@code F.interpolate(mode="bicubic", align_corners=False, antialias=True)} of a token grid (a position
     * embedding): {@code in[(inOffset + iy*inW + ix)*channels + c]}, {@code in [inOffset + inH*inW, channels]}, to
     * {@code out[(outOffset + oy*outW + ox)*channels + c]}, {@code out [outOffset + outH*outW, channels]}, with the
     * matrices of {@link #bicubicAntialiasMatrix}; the {@code outOffset} leading rows (class tokens) stay 0, as the
     * kernel must not write them. Reference for {@code ResampleKernels.bicubicAntialias}.
     */
    public static double[] bicubicAntialias(float[] in, int inH, int inW, int outH, int outW, int channels, int inOffset, int outOffset) {
        return separable(in, bicubicAntialiasMatrix(inH, outH), bicubicAntialiasMatrix(inW, outW), inH, inW, outH, outW, channels, inOffset,
                outOffset);
    }

    /**
     * As {@link #bicubicAntialias} without antialias ({@code F.interpolate(mode="bicubic", align_corners=False)}),
     * with the matrices of {@link #bicubicMatrix}. Reference for {@code ResampleKernels.bicubic}.
     */
    public static double[] bicubic(float[] in, int inH, int inW, int outH, int outW, int channels, int inOffset, int outOffset) {
        return separable(in, bicubicMatrix(inH, outH), bicubicMatrix(inW, outW), inH, inW, outH, outW, channels, inOffset, outOffset);
    }

    private static double[] separable(float[] in, double[][] my, double[][] mx, int inH, int inW, int outH, int outW, int channels,
            int inOffset, int outOffset) {
        double[] out = new double[(outOffset + outH * outW) * channels];
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                for (int c = 0; c < channels; c++) {
                    double acc = 0;
                    for (int iy = 0; iy < inH; iy++) {
                        for (int ix = 0; ix < inW; ix++) {
                            acc += my[oy][iy] * mx[ox][ix] * in[(inOffset + iy * inW + ix) * channels + c];
                        }
                    }
                    out[(outOffset + oy * outW + ox) * channels + c] = acc;
                }
            }
        }
        return out;
    }

    /**
     * PyTorch's {@code F.interpolate(mode="bilinear")} of a batch of maps {@code in [batch, inH, inW, channels]} to
     * {@code [fullH, fullW]}, of which the top-left {@code outH x outW} crop is written into channels
     * {@code offset .. offset + channels} of rows {@code stride} wide: {@code out [batch, outH, outW, stride]} (a
     * channel slice of a concatenation); the other channels are 0 here (the kernel leaves them alone). Matrices of
     * {@link #linearMatrix}. Reference for {@code ResampleKernels.bilinear}.
     */
    public static double[] bilinear(float[] in, int batch, int inH, int inW, int fullH, int fullW, int outH, int outW, int channels,
            boolean alignCorners, int stride, int offset) {
        double[][] my = linearMatrix(inH, fullH, alignCorners);
        double[][] mx = linearMatrix(inW, fullW, alignCorners);
        double[] out = new double[batch * outH * outW * stride];
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
                        out[((b * outH + y) * outW + x) * stride + offset + c] = acc;
                    }
                }
            }
        }
        return out;
    }
}
