package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * 2-D convolutions on channels-last maps {@code [batch, height, width, channels]} (the token layout the ViT blocks
 * use, so a token map needs no transpose), with PyTorch's weight layouts: {@code Conv2d} {@code [out, in/groups, kh, kw]},
 * {@code ConvTranspose2d} {@code [in, out, kh, kw]}. Zero padding, {@code padTop} rows above and {@code padLeft} columns
 * to the left, and as many below and to the right as the given output size needs: PyTorch's symmetric padding, or
 * TensorFlow's "SAME" (timm's {@code Conv2dSame}), whose extra row and column go below and to the right. (Parameters are not named
 * {@code kernel}: names become OpenCL C identifiers, and {@code kernel} is an OpenCL keyword.)
 * <p>Float64 reference: {@link org.vitornado.reference.Convolution}.
 */
public final class ConvKernels {

    private ConvKernels() {
    }

    /** Grid 2D: x = output channel, y = output pixel b*outH*outW + oy*outW + ox. */
    public static WorkerGrid grid(int batch, int outH, int outW, int outChannels) {
        return Grids.grid2D(outChannels, batch * outH * outW, 16, 4);
    }

    /**
     * out[b, oy, ox, o] = act(bias[o] + sum_{ci in group(o), ky, kx} w[o, ci, ky, kx] * in[b, oy*stride - padTop + ky, ox*stride - padLeft + kx, g*inPerGroup + ci])
     * with groups of {@code inChannels / groups} input and {@code outChannels / groups} output channels; act is ReLU
     * when {@code relu == 1} (a conv with its norm folded in, then ReLU), the identity otherwise.
     */
    public static void conv2d(KernelContext ctx, FloatArray in, FloatArray weight, FloatArray bias, FloatArray out,
            int batch, int height, int width, int inChannels, int outChannels, int kernelSize, int stride, int padTop, int padLeft, int groups,
            int outH, int outW, int relu) {
        int o = ctx.globalIdx;
        int pixel = ctx.globalIdy;
        if (o >= outChannels || pixel >= batch * outH * outW) {
            return;
        }
        int b = pixel / (outH * outW);
        int rest = pixel - b * outH * outW;
        int oy = rest / outW;
        int ox = rest - oy * outW;
        int inPerGroup = inChannels / groups;
        int firstIn = (o / (outChannels / groups)) * inPerGroup;
        float acc = bias.get(o);
        for (int ky = 0; ky < kernelSize; ky++) {
            int iy = oy * stride - padTop + ky;
            if (iy >= 0 && iy < height) {
                for (int kx = 0; kx < kernelSize; kx++) {
                    int ix = ox * stride - padLeft + kx;
                    if (ix >= 0 && ix < width) {
                        int src = ((b * height + iy) * width + ix) * inChannels + firstIn;
                        int w0 = o * inPerGroup * kernelSize * kernelSize + ky * kernelSize + kx;
                        for (int ci = 0; ci < inPerGroup; ci++) {
                            acc += weight.get(w0 + ci * kernelSize * kernelSize) * in.get(src + ci);
                        }
                    }
                }
            }
        }
        out.set(pixel * outChannels + o, relu == 1 ? TornadoMath.max(acc, 0.0f) : acc);
    }

    /**
     * Transposed convolution with kernel 2 and stride 2 (each input pixel spreads over a 2x2 output block, no overlap):
     * out[b, 2y + ky, 2x + kx, o] = bias[o] + sum_ci in[b, y, x, ci] * w[ci, o, ky, kx]. Output is {@code 2H x 2W}.
     */
    public static void convTranspose2x2(KernelContext ctx, FloatArray in, FloatArray weight, FloatArray bias, FloatArray out,
            int batch, int height, int width, int inChannels, int outChannels) {
        int o = ctx.globalIdx;
        int pixel = ctx.globalIdy;
        int outH = 2 * height;
        int outW = 2 * width;
        if (o >= outChannels || pixel >= batch * outH * outW) {
            return;
        }
        int b = pixel / (outH * outW);
        int rest = pixel - b * outH * outW;
        int oy = rest / outW;
        int ox = rest - oy * outW;
        int y = oy / 2;
        int x = ox / 2;
        int k = (oy - 2 * y) * 2 + (ox - 2 * x);
        int src = ((b * height + y) * width + x) * inChannels;
        float acc = bias.get(o);
        for (int ci = 0; ci < inChannels; ci++) {
            acc += in.get(src + ci) * weight.get((ci * outChannels + o) * 4 + k);
        }
        out.set(pixel * outChannels + o, acc);
    }

    /**
     * Max pooling with a square window and stride: out[b, oy, ox, c] = max over ky, kx of in[b, oy*stride - padTop + ky,
     * ox*stride - padLeft + kx, c], taps outside the map left out (PyTorch's implicit -inf padding, and timm's
     * {@code MaxPool2dSame}, which pads with -inf). Every window holds at least one tap of the map.
     */
    public static void maxPool2d(KernelContext ctx, FloatArray in, FloatArray out, int batch, int height, int width, int channels,
            int kernelSize, int stride, int padTop, int padLeft, int outH, int outW) {
        int c = ctx.globalIdx;
        int pixel = ctx.globalIdy;
        if (c >= channels || pixel >= batch * outH * outW) {
            return;
        }
        int b = pixel / (outH * outW);
        int rest = pixel - b * outH * outW;
        int oy = rest / outW;
        int ox = rest - oy * outW;
        float best = -Float.MAX_VALUE;
        for (int ky = 0; ky < kernelSize; ky++) {
            int iy = oy * stride - padTop + ky;
            for (int kx = 0; kx < kernelSize; kx++) {
                int ix = ox * stride - padLeft + kx;
                if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                    float v = in.get(((b * height + iy) * width + ix) * channels + c);
                    best = v > best ? v : best;
                }
            }
        }
        out.set(pixel * channels + c, best);
    }

    /** PyTorch's output size of a convolution or pooling along one axis. */
    public static int outputSize(int in, int kernelSize, int stride, int pad) {
        return (in + 2 * pad - kernelSize) / stride + 1;
    }

    /** TensorFlow's "SAME" output size along one axis: {@code ceil(in / stride)}. */
    public static int sameOutputSize(int in, int stride) {
        return (in + stride - 1) / stride;
    }

    /**
     * TensorFlow's "SAME" padding before (above, to the left of) one axis, as timm's {@code pad_same}: the total
     * {@code max((ceil(in / stride) - 1) stride + kernel - in, 0)} is split with its smaller half first, the rest after.
     */
    public static int samePadBefore(int in, int kernelSize, int stride) {
        return Math.max((sameOutputSize(in, stride) - 1) * stride + kernelSize - in, 0) / 2;
    }
}
