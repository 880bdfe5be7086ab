package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Version 2 of the convolutions ({@link ConvKernels} is version 1, the readable reference; same layouts): each one is
 * computed as a GEMM on the tiles of {@link TiledLinearKernels}, with the matrix it multiplies gathered from the map on
 * the fly ("implicit GEMM": no im2col copy is stored).
 * <ul>
 * <li>{@code conv2d} (groups = 1): {@code out[m, n] = sum_k A[m, k] B[n, k] + bias[n]} with m the output pixel
 * {@code (b, oy, ox)}, n the output channel and k the tap and input channel {@code (ky kernelSize + kx) inChannels + ci};
 * {@code A[m, k] = in[b, oy stride - padTop + ky, ox stride - padLeft + kx, ci]} (zero outside the map) and
 * {@code B[n, k] = weight[n, ci, ky, kx]}. A 3x3 convolution from 256 channels is a GEMM with k = 2304.</li>
 * <li>{@code convTranspose2x2}: {@code A[m, k] = in[m, k]} with m the input pixel; n = o * 4 + ky * 2 + kx runs over
 * output channels and the four taps, {@code B[n, k] = weight[k, o, ky, kx]}, and result (m, n) lands at output pixel
 * {@code (2y + ky, 2x + kx)}, channel o: the 2x2 blocks do not overlap, so each output is one GEMM value.</li>
 * </ul>
 * Tiles, work-group and local memory as {@link TiledLinearKernels} (64 x 64 outputs per 16 x 16 work-group, 4 x 4 per
 * work-item, slices of 16 along k, 8.3 KB), so {@code TiledLinearKernels.fits} decides for both. Each operand is
 * copied into local memory in the order that reads global memory contiguously: the map along channels (k fastest),
 * the transposed convolution's weights along n.
 * <p>Float64 reference: {@link org.vitornado.reference.Convolution}.
 */
public final class ImplicitGemmConvKernels {

    static final int TILE = TiledLinearKernels.TILE;
    static final int GROUP = TiledLinearKernels.GROUP;
    static final int DEPTH = TiledLinearKernels.DEPTH;
    static final int STRIDE = TiledLinearKernels.STRIDE;

    private ImplicitGemmConvKernels() {
    }

    /** Grid 2D: one 16 x 16 work-group per 64 x 64 tile; x runs over output channels, y over output pixels. */
    public static WorkerGrid conv2dGrid(int batch, int outH, int outW, int outChannels) {
        return TiledLinearKernels.grid(batch * outH * outW, outChannels);
    }

    /** Grid 2D: one 16 x 16 work-group per 64 x 64 tile; x runs over (output channel, tap), y over input pixels. */
    public static WorkerGrid convTranspose2x2Grid(int batch, int height, int width, int outChannels) {
        return TiledLinearKernels.grid(batch * height * width, 4 * outChannels);
    }

    /** {@code ConvKernels.conv2d} with groups = 1, as an implicit GEMM. */
    public static void conv2d(KernelContext ctx, FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int batch, int height, int width,
            int inChannels, int outChannels, int kernelSize, int stride, int padTop, int padLeft, int outH, int outW, int relu) {
        float[] as = ctx.allocateFloatLocalArray(DEPTH * STRIDE);
        float[] bs = ctx.allocateFloatLocalArray(DEPTH * STRIDE);
        int lx = ctx.localIdx;
        int ly = ctx.localIdy;
        int row0 = ctx.groupIdy * TILE;
        int col0 = ctx.groupIdx * TILE;
        int flat = ly * GROUP + lx;
        int rows = batch * outH * outW;
        int depth = kernelSize * kernelSize * inChannels;
        float[] acc = new float[16];
        for (int q = 0; q < 16; q++) {
            acc[q] = 0.0f;
        }
        for (int k0 = 0; k0 < depth; k0 += DEPTH) {
            // Copy-in, k fastest across work-items: A along a pixel's channels, B along a filter's (input channel, tap).
            for (int e = flat; e < TILE * DEPTH; e += GROUP * GROUP) {
                int t = e / DEPTH;
                int kk = e % DEPTH;
                as[kk * STRIDE + t] = mapTap(in, row0 + t, k0 + kk, rows, depth, height, width, inChannels, kernelSize, stride, padTop, padLeft, outH, outW);
                int n = col0 + t;
                int k = k0 + kk;
                int tap = k / inChannels;
                bs[kk * STRIDE + t] = n < outChannels && k < depth ? weight.get((n * inChannels + k - tap * inChannels) * kernelSize * kernelSize + tap) : 0.0f;
            }
            ctx.localBarrier();
            for (int kk = 0; kk < DEPTH; kk++) {
                for (int i = 0; i < 4; i++) {
                    float a = as[kk * STRIDE + ly + GROUP * i];
                    for (int j = 0; j < 4; j++) {
                        acc[i * 4 + j] += a * bs[kk * STRIDE + lx + GROUP * j];
                    }
                }
            }
            ctx.localBarrier();
        }
        for (int i = 0; i < 4; i++) {
            int m = row0 + ly + GROUP * i;
            for (int j = 0; j < 4; j++) {
                int n = col0 + lx + GROUP * j;
                if (m < rows && n < outChannels) {
                    float y = acc[i * 4 + j] + bias.get(n);
                    out.set(m * outChannels + n, relu == 1 ? TornadoMath.max(y, 0.0f) : y);
                }
            }
        }
    }

    /**
     * A[m, k] of {@link #conv2d}: the input value tap k of output pixel m reads, zero outside the map (and past the
     * matrix).
     */
    static float mapTap(FloatArray in, int m, int k, int rows, int depth, int height, int width, int inChannels, int kernelSize, int stride, int padTop,
            int padLeft, int outH, int outW) {
        int b = m / (outH * outW);
        int oy = (m - b * outH * outW) / outW;
        int ox = m - b * outH * outW - oy * outW;
        int tap = k / inChannels;
        int ci = k - tap * inChannels;
        int ky = tap / kernelSize;
        int iy = oy * stride - padTop + ky;
        int ix = ox * stride - padLeft + tap - ky * kernelSize;
        boolean inside = m < rows && k < depth && iy >= 0 && iy < height && ix >= 0 && ix < width;
        return inside ? in.get(((b * height + iy) * width + ix) * inChannels + ci) : 0.0f;
    }

    /** {@code ConvKernels.convTranspose2x2} as a GEMM: out[b, 2y + ky, 2x + kx, o] = bias[o] + sum_ci in[b, y, x, ci] w[ci, o, ky, kx]. */
    public static void convTranspose2x2(KernelContext ctx, FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int batch, int height,
            int width, int inChannels, int outChannels) {
        float[] as = ctx.allocateFloatLocalArray(DEPTH * STRIDE);
        float[] bs = ctx.allocateFloatLocalArray(DEPTH * STRIDE);
        int lx = ctx.localIdx;
        int ly = ctx.localIdy;
        int row0 = ctx.groupIdy * TILE;
        int col0 = ctx.groupIdx * TILE;
        int flat = ly * GROUP + lx;
        int rows = batch * height * width;
        int cols = 4 * outChannels;
        float[] acc = new float[16];
        for (int q = 0; q < 16; q++) {
            acc[q] = 0.0f;
        }
        for (int k0 = 0; k0 < inChannels; k0 += DEPTH) {
            for (int e = flat; e < TILE * DEPTH; e += GROUP * GROUP) {
                // A along a pixel's channels (k fastest); B along n (n fastest): w[k, o, ky, kx] is w[k * 4 outChannels + n].
                int t = e / DEPTH;
                int kk = e % DEPTH;
                int m = row0 + t;
                int k = k0 + kk;
                as[kk * STRIDE + t] = m < rows && k < inChannels ? in.get(m * inChannels + k) : 0.0f;
                int tn = e % TILE;
                int kn = k0 + e / TILE;
                int n = col0 + tn;
                bs[(e / TILE) * STRIDE + tn] = n < cols && kn < inChannels ? weight.get(kn * cols + n) : 0.0f;
            }
            ctx.localBarrier();
            for (int kk = 0; kk < DEPTH; kk++) {
                for (int i = 0; i < 4; i++) {
                    float a = as[kk * STRIDE + ly + GROUP * i];
                    for (int j = 0; j < 4; j++) {
                        acc[i * 4 + j] += a * bs[kk * STRIDE + lx + GROUP * j];
                    }
                }
            }
            ctx.localBarrier();
        }
        for (int i = 0; i < 4; i++) {
            int m = row0 + ly + GROUP * i;
            int b = m / (height * width);
            int y = (m - b * height * width) / width;
            int x = m - b * height * width - y * width;
            for (int j = 0; j < 4; j++) {
                int n = col0 + lx + GROUP * j;
                int o = n / 4;
                int tap = n - 4 * o;
                if (m < rows && n < cols) {
                    int pixel = (b * 2 * height + 2 * y + tap / 2) * 2 * width + 2 * x + tap % 2;
                    out.set(pixel * outChannels + o, acc[i * 4 + j] + bias.get(o));
                }
            }
        }
    }
}
