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
        int oh = outputSize(height, kernelSize, stride, pad);
        int ow = outputSize(width, kernelSize, stride, pad);
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
                                    int iy = oy * stride - pad + ky;
                                    int ix = ox * stride - pad + kx;
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
     * Max pooling without padding: {@code out[b, oy, ox, c] = max_{ky, kx < kernelSize} in[b, oy*stride + ky, ox*stride + kx, c]};
     * {@code in [batch, height, width, channels]}, {@code out [batch, oh, ow, channels]} ({@link #outputSize} with
     * pad 0). Reference for {@code ConvKernels.maxPool2d}.
     */
    public static double[] maxPool2d(float[] in, int batch, int height, int width, int channels, int kernelSize, int stride) {
        int oh = outputSize(height, kernelSize, stride, 0);
        int ow = outputSize(width, kernelSize, stride, 0);
        int k = kernelSize;
        double[] out = new double[batch * oh * ow * channels];
        for (int b = 0; b < batch; b++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ch = 0; ch < channels; ch++) {
                        double best = Double.NEGATIVE_INFINITY;
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                best = Math.max(best, in[((b * height + oy * stride + ky) * width + ox * stride + kx) * channels + ch]);
                            }
                        }
                        out[((b * oh + oy) * ow + ox) * channels + ch] = best;
                    }
                }
            }
        }
        return out;
    }
}
