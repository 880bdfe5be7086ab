package org.vitornado.reference;

/**
 * 2-D convolutions and max pooling on channels-last maps {@code [batch, height, width, channels]}, written from
 * PyTorch's definitions, with PyTorch's weight layouts: {@code Conv2d} {@code [out, in/groups, k, k]},
 * {@code ConvTranspose2d} {@code [in, out, 2, 2]}. Zero padding, as PyTorch's default.
 */
public final class Convolution {

    private Convolution() {
    }

    /** {@code (size + 2 pad - kernelSize) / stride + 1}, PyTorch's output size (dilation 1, rounded down). */
    public static int outputSize(int size, int kernelSize, int stride, int pad) {
        return (size + 2 * pad - kernelSize) / stride + 1;
    }

    /**
     * {@code out[b, oy, ox, o] = bias[o] + sum_{ci, ky, kx} weight[o, ci, ky, kx] in[b, oy*stride - pad + ky, ox*stride - pad + kx, g*inPer + ci]}
     * over the taps inside the map (zero padding), with {@code g = o / (outChannels / groups)} and
     * {@code inPer = inChannels / groups}; {@code in [batch, height, width, inChannels]},
     * {@code weight [outChannels, inPer, kernelSize, kernelSize]}, {@code bias [outChannels]},
     * {@code out [batch, oh, ow, outChannels]} ({@link #outputSize}). Groups = channels is a depthwise convolution.
     * Reference for {@code ConvKernels.conv2d} and, for groups = 1, {@code ImplicitGemmConvKernels.conv2d}.
     */
    public static double[] conv2d(float[] in, float[] weight, float[] bias, int batch, int height, int width, int inChannels, int outChannels,
            int kernelSize, int stride, int pad, int groups) {
        return conv2d(in, weight, bias, batch, height, width, inChannels, outChannels, kernelSize, stride, pad, pad, groups,
                outputSize(height, kernelSize, stride, pad), outputSize(width, kernelSize, stride, pad));
    }

    /**
     * TensorFlow's "SAME" convolution (timm's {@code Conv2dSame}), as timm computes it: pad the map with zeros,
     * {@code total = max((ceil(n / stride) - 1) stride + kernel - n, 0)} along each side, {@code total / 2} above or to
     * the left and the rest below or to the right, then convolve without padding. Output {@code ceil(n / stride)}.
     */
    public static double[] conv2dSame(float[] in, float[] weight, float[] bias, int batch, int height, int width, int inChannels, int outChannels,
            int kernelSize, int stride) {
        int padH = Math.max(((height + stride - 1) / stride - 1) * stride + kernelSize - height, 0);
        int padW = Math.max(((width + stride - 1) / stride - 1) * stride + kernelSize - width, 0);
        int ph = height + padH;
        int pw = width + padW;
        float[] padded = new float[batch * ph * pw * inChannels];
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    System.arraycopy(in, ((b * height + y) * width + x) * inChannels, padded,
                            ((b * ph + y + padH / 2) * pw + x + padW / 2) * inChannels, inChannels);
                }
            }
        }
        return conv2d(padded, weight, bias, batch, ph, pw, inChannels, outChannels, kernelSize, stride, 0, 1);
    }

    /**
     * As {@link #conv2d(float[], float[], float[], int, int, int, int, int, int, int, int, int)} with {@code padTop} rows
     * above and {@code padLeft} columns to the left and an {@code oh x ow} output (zeros wherever a tap leaves the map).
     */
    public static double[] conv2d(float[] in, float[] weight, float[] bias, int batch, int height, int width, int inChannels, int outChannels,
            int kernelSize, int stride, int padTop, int padLeft, int groups, int oh, int ow) {
        int inPer = inChannels / groups;
        int outPer = outChannels / groups;
        int k = kernelSize;
        double[] out = new double[batch * oh * ow * outChannels];
        for (int b = 0; b < batch; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int o = 0; o < outChannels; o++) {
                        double acc = bias[o];
                        int g = o / outPer;
                        for (int ci = 0; ci < inPer; ci++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy * stride - padTop + ky;
                                    int ix = ox * stride - padLeft + kx;
                                    if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                                        acc += (double) weight[((o * inPer + ci) * k + ky) * k + kx]
                                                * in[((b * height + iy) * width + ix) * inChannels + g * inPer + ci];
                                    }
                                }
                            }
                        }
                        out[((b * oh + oy) * ow + ox) * outChannels + o] = acc;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Transposed convolution, kernel 2, stride 2 (each input pixel spreads to a 2x2 block, no overlap):
     * {@code out[b, 2y + ky, 2x + kx, o] = bias[o] + sum_ci in[b, y, x, ci] weight[ci, o, ky, kx]};
     * {@code in [batch, height, width, inChannels]}, {@code weight [inChannels, outChannels, 2, 2]},
     * {@code bias [outChannels]}, {@code out [batch, 2 height, 2 width, outChannels]}. Reference for
     * {@code ConvKernels.convTranspose2x2} and {@code ImplicitGemmConvKernels.convTranspose2x2}.
     */
    public static double[] convTranspose2x2(float[] in, float[] weight, float[] bias, int batch, int height, int width, int inChannels,
            int outChannels) {
        int h = height;
        int w = width;
        double[] out = new double[batch * 4 * h * w * outChannels];
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ky = 0; ky < 2; ky++) {
                        for (int kx = 0; kx < 2; kx++) {
                            for (int o = 0; o < outChannels; o++) {
                                double acc = bias[o];
                                for (int ci = 0; ci < inChannels; ci++) {
                                    acc += (double) in[((b * h + y) * w + x) * inChannels + ci] * weight[((ci * outChannels + o) * 2 + ky) * 2 + kx];
                                }
                                out[((b * 2 * h + 2 * y + ky) * 2 * w + 2 * x + kx) * outChannels + o] = acc;
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Max pooling with {@code -inf} padding, as PyTorch's {@code MaxPool2d(padding)} and timm's {@code MaxPool2dSame}:
     * {@code out[b, oy, ox, c] = max} over the window's taps {@code (oy stride - padTop + ky, ox stride - padLeft + kx)}
     * that lie in the map; {@code oh x ow} output.
     */
    public static double[] maxPool2d(float[] in, int batch, int height, int width, int channels, int kernelSize, int stride, int padTop,
            int padLeft, int oh, int ow) {
        double[] out = new double[batch * oh * ow * channels];
        for (int b = 0; b < batch; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ch = 0; ch < channels; ch++) {
                        double best = Double.NEGATIVE_INFINITY;
                        for (int ky = 0; ky < kernelSize; ky++) {
                            for (int kx = 0; kx < kernelSize; kx++) {
                                int iy = oy * stride - padTop + ky;
                                int ix = ox * stride - padLeft + kx;
                                if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                                    best = Math.max(best, in[((b * height + iy) * width + ix) * channels + ch]);
                                }
                            }
                        }
                        out[((b * oh + oy) * ow + ox) * channels + ch] = best;
                    }
                }
            }
        }
        return out;
    }

    /**
     * Max pooling without padding: {@code out[b, oy, ox, c] = max_{ky, kx < kernelSize} in[b, oy*stride + ky, ox*stride + kx, c]};
     * {@code in [batch, height, width, channels]}, {@code out [batch, oh, ow, channels]} ({@link #outputSize} with
     * pad 0). Reference for {@code ConvKernels.maxPool2d}.
     */
    public static double[] maxPool2d(float[] in, int batch, int height, int width, int channels, int kernelSize, int stride) {
        return maxPool2d(in, batch, height, width, channels, kernelSize, stride, 0, 0, outputSize(height, kernelSize, stride, 0),
                outputSize(width, kernelSize, stride, 0));
    }

    /**
     * timm's {@code StdConv2dSame} written from its {@code forward}: each output channel's filter standardised over its
     * (in, kh, kw) values with the biased variance, {@code (w - mean) / sqrt(var + eps)}, then {@link #conv2dSame}.
     */
    public static double[] stdConv2dSame(float[] in, float[] weight, float[] bias, double eps, int batch, int height, int width, int inChannels,
            int outChannels, int kernelSize, int stride) {
        int per = inChannels * kernelSize * kernelSize;
        float[] standardised = new float[weight.length];
        double[] exact = new double[weight.length];
        for (int o = 0; o < outChannels; o++) {
            double mean = 0;
            for (int i = 0; i < per; i++) {
                mean += weight[o * per + i];
            }
            mean /= per;
            double var = 0;
            for (int i = 0; i < per; i++) {
                var += (weight[o * per + i] - mean) * (weight[o * per + i] - mean);
            }
            var /= per;
            for (int i = 0; i < per; i++) {
                exact[o * per + i] = (weight[o * per + i] - mean) / Math.sqrt(var + eps);
                standardised[o * per + i] = (float) exact[o * per + i];
            }
        }
        return conv2dSame(in, standardised, bias, batch, height, width, inChannels, outChannels, kernelSize, stride);
    }

    /**
     * An eval-mode batch norm after a conv, written as PyTorch runs it (the conv, then
     * {@code (y - mean) weight / sqrt(var + eps) + bias} per channel): the reference for folding the norm into the conv.
     */
    public static double[] conv2dThenBatchNorm(float[] in, float[] weight, float[] bias, float[] gamma, float[] beta, float[] mean, float[] var,
            double eps, int batch, int height, int width, int inChannels, int outChannels, int kernelSize, int stride, int pad) {
        double[] y = conv2d(in, weight, bias, batch, height, width, inChannels, outChannels, kernelSize, stride, pad, 1);
        for (int i = 0; i < y.length; i++) {
            int o = i % outChannels;
            y[i] = (y[i] - mean[o]) * gamma[o] / Math.sqrt(var[o] + eps) + beta[o];
        }
        return y;
    }
}
