package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Channels-last convolutions for the JVM backend only, the maths of {@code ConvKernels.conv2d} (weights
 * {@code [out, in/groups, k, k]}, stride, zero padding, optional ReLU) and {@code ConvKernels.convTranspose2x2}:
 * <ul>
 * <li>{@link #conv2d} ({@code groups = 1}) as an implicit GEMM on the linear layers' {@link JvmGemm}: a work-item
 * gathers the receptive fields of {@value #ROW_BLOCK} output pixels into a heap array (tap-major: one contiguous run of
 * channels per tap, zeros for padding) and multiplies them with {@value #PANELS} panels of the filters, packed once
 * per plan in the same order ({@link JvmPackedWeights#packConv});</li>
 * <li>{@link #convTranspose2x2} as one GEMM of input pixels x (tap, output channel)
 * ({@link JvmPackedWeights#packTransposed2x2}), each result stored at its output pixel;</li>
 * <li>{@link #depthwise} ({@code groups = in = out}, SegFormer's Mix-FFN): a vector of channels per FMA, taps
 * re-laid {@code [ky][kx][c]} once per work-item.</li>
 * </ul>
 * Grid 2D for the GEMMs: x = block of {@value #ROW_BLOCK} pixels, y = block of {@value #PANELS} filter panels, so that
 * a thread's consecutive work-items share their panels while they are in its caches (as in {@link JvmLinearKernels});
 * for depthwise: x = 1, y = block of {@value #BLOCK} pixels. Local 1 x 1.
 */
public final class JvmConvKernels {

    /** Pixels per depthwise work-item. */
    static final int BLOCK = 64;
    /** Pixels per GEMM work-item: 8 register tiles. */
    static final int ROW_BLOCK = 8 * JvmMicroKernel.ROWS;
    /** Filter panels per GEMM work-item. */
    static final int PANELS = 4;

    /** Per thread: the GEMM kernels' gathered pixels (slot 0) and block of results (slot 1); depthwise's taps (slot 2). */
    private static final JvmScratch SCRATCH = new JvmScratch(3);

    private JvmConvKernels() {
    }

    /** Whether the CPU kernels cover this convolution (dense or depthwise). */
    public static boolean supports(int inChannels, int outChannels, int groups) {
        return groups == 1 || (groups == inChannels && groups == outChannels);
    }

    public static WorkerGrid grid(int batch, int outH, int outW, int outChannels, int groups) {
        if (groups != 1) {
            return Grids.grid2D(1, (batch * outH * outW + BLOCK - 1) / BLOCK, 1, 1);
        }
        return Grids.grid2D((batch * outH * outW + ROW_BLOCK - 1) / ROW_BLOCK, panelBlocks(outChannels), 1, 1);
    }

    private static int panelBlocks(int columns) {
        int panels = (columns + JvmMicroKernel.width() - 1) / JvmMicroKernel.width();
        return (panels + PANELS - 1) / PANELS;
    }

    /** Dense convolution ({@code groups = 1}); same arguments as {@code ConvKernels.conv2d}, the filters packed tap-major. */
    public static void conv2d(KernelContext ctx, FloatArray in, JvmPackedWeights weight, FloatArray bias, FloatArray out, int batch, int height,
            int width, int inChannels, int outChannels, int kernelSize, int stride, int padTop, int padLeft, int groups, int outH, int outW,
            int relu) {
        int panelWidth = weight.width();
        int q0 = ctx.globalIdy * PANELS;
        int panels = Math.min(PANELS, weight.count() - q0);
        int o0 = q0 * panelWidth;
        int filters = Math.min(panels * panelWidth, outChannels - o0);
        int p0 = ctx.globalIdx * ROW_BLOCK;
        int n = Math.min(ROW_BLOCK, batch * outH * outW - p0);
        int tiles = (n + JvmMicroKernel.ROWS - 1) / JvmMicroKernel.ROWS;
        int k = inChannels * kernelSize * kernelSize;
        float[] a = SCRATCH.get(0, tiles * JvmMicroKernel.ROWS * k);
        MemorySegment is = in.getSegment();
        for (int r = 0; r < n; r++) {
            gather(is, a, r * k, p0 + r, height, width, inChannels, kernelSize, stride, padTop, padLeft, outH, outW);
        }
        Arrays.fill(a, n * k, tiles * JvmMicroKernel.ROWS * k, 0f);
        int ldc = panels * panelWidth;
        float[] c = SCRATCH.get(1, tiles * JvmMicroKernel.ROWS * ldc);
        JvmGemm.multiply(a, k, 1, tiles, weight.panels(), k, q0, panels, c, ldc);
        for (int r = 0; r < n; r++) {
            int row = (p0 + r) * outChannels + o0;
            for (int j = 0; j < filters; j++) {
                float y = c[r * ldc + j] + bias.get(o0 + j);
                out.set(row + j, relu == 1 ? Math.max(y, 0f) : y);
            }
        }
    }

    /** The receptive field of output pixel {@code pixel} into {@code a[at ...]}, tap-major: {@code [ky][kx][c]}, zeros outside the map. */
    private static void gather(MemorySegment in, float[] a, int at, int pixel, int height, int width, int channels, int kernelSize, int stride,
            int padTop, int padLeft, int outH, int outW) {
        int b = pixel / (outH * outW);
        int rest = pixel - b * outH * outW;
        int oy = rest / outW;
        int ox = rest - oy * outW;
        int x0 = ox * stride - padLeft;
        boolean rowInside = x0 >= 0 && x0 + kernelSize <= width;
        for (int ky = 0; ky < kernelSize; ky++) {
            int iy = oy * stride - padTop + ky;
            int dst = at + ky * kernelSize * channels;
            if (iy < 0 || iy >= height) {
                Arrays.fill(a, dst, dst + kernelSize * channels, 0f);
            } else if (rowInside) {
                // The taps of one kernel row are neighbouring pixels: one contiguous run of kernelSize x channels.
                long src = ((long) (b * height + iy) * width + x0) * channels;
                MemorySegment.copy(in, ValueLayout.JAVA_FLOAT, src * Float.BYTES, a, dst, kernelSize * channels);
            } else {
                for (int kx = 0; kx < kernelSize; kx++) {
                    int ix = x0 + kx;
                    int tap = dst + kx * channels;
                    if (ix >= 0 && ix < width) {
                        long src = ((long) (b * height + iy) * width + ix) * channels;
                        MemorySegment.copy(in, ValueLayout.JAVA_FLOAT, src * Float.BYTES, a, tap, channels);
                    } else {
                        Arrays.fill(a, tap, tap + channels, 0f);
                    }
                }
            }
        }
    }

    /** Depthwise convolution ({@code groups = in = out}); same arguments as {@code ConvKernels.conv2d}. */
    public static void depthwise(KernelContext ctx, FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int batch, int height,
            int width, int inChannels, int outChannels, int kernelSize, int stride, int padTop, int padLeft, int groups, int outH, int outW,
            int relu) {
        int p0 = ctx.globalIdy * BLOCK;
        int pEnd = Math.min(p0 + BLOCK, batch * outH * outW);
        int channels = outChannels;
        int taps = kernelSize * kernelSize;
        float[] w = SCRATCH.get(2, taps * channels + 2 * channels);
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < taps; t++) {
                w[t * channels + c] = weight.get(c * taps + t);
            }
        }
        int biasAt = taps * channels;
        for (int c = 0; c < channels; c++) {
            w[biasAt + c] = bias.get(c);
        }
        MemorySegment is = in.getSegment();
        MemorySegment os = out.getSegment();
        int lanes = JvmVectors.S.length();
        for (int p = p0; p < pEnd; p++) {
            int b = p / (outH * outW);
            int rest = p - b * outH * outW;
            int oy = rest / outW;
            int ox = rest - oy * outW;
            int full = channels - channels % lanes;
            for (int c = 0; c < full; c += lanes) {
                FloatVector acc = FloatVector.fromArray(JvmVectors.S, w, biasAt + c);
                for (int ky = 0; ky < kernelSize; ky++) {
                    int iy = oy * stride - padTop + ky;
                    if (iy < 0 || iy >= height) {
                        continue;
                    }
                    for (int kx = 0; kx < kernelSize; kx++) {
                        int ix = ox * stride - padLeft + kx;
                        if (ix < 0 || ix >= width) {
                            continue;
                        }
                        long src = ((long) ((b * height + iy) * width + ix) * channels + c) * Float.BYTES;
                        FloatVector x = FloatVector.fromMemorySegment(JvmVectors.S, is, src, JvmVectors.ORDER);
                        acc = x.fma(FloatVector.fromArray(JvmVectors.S, w, (ky * kernelSize + kx) * channels + c), acc);
                    }
                }
                if (relu == 1) {
                    acc = acc.max(0f);
                }
                acc.intoMemorySegment(os, ((long) p * channels + c) * Float.BYTES, JvmVectors.ORDER);
            }
            // The tail one channel at a time: masked segment accesses take a slow path unless every lane is set.
            for (int c = full; c < channels; c++) {
                float acc = w[biasAt + c];
                for (int ky = 0; ky < kernelSize; ky++) {
                    int iy = oy * stride - padTop + ky;
                    for (int kx = 0; kx < kernelSize && iy >= 0 && iy < height; kx++) {
                        int ix = ox * stride - padLeft + kx;
                        if (ix >= 0 && ix < width) {
                            acc += is.getAtIndex(ValueLayout.JAVA_FLOAT, (long) ((b * height + iy) * width + ix) * channels + c)
                                    * w[(ky * kernelSize + kx) * channels + c];
                        }
                    }
                }
                os.setAtIndex(ValueLayout.JAVA_FLOAT, (long) p * channels + c, relu == 1 ? Math.max(acc, 0f) : acc);
            }
        }
    }

    public static WorkerGrid transposeGrid(int batch, int height, int width, int outChannels) {
        return Grids.grid2D((batch * height * width + ROW_BLOCK - 1) / ROW_BLOCK, panelBlocks(4 * outChannels), 1, 1);
    }

    /**
     * ConvTranspose2d(k = 2, stride 2), the maths of {@code ConvKernels.convTranspose2x2}: each input pixel feeds a 2 x 2
     * output patch, {@code out[2y+dy][2x+dx][o] = b[o] + in[y][x] . w[:, o, dy, dx]}: one GEMM of {@value #ROW_BLOCK} input
     * pixels (rows copied as they lie) with {@value #PANELS} panels of the (tap, output channel) columns; each column
     * is stored at its tap's output pixel.
     */
    public static void convTranspose2x2(KernelContext ctx, FloatArray in, JvmPackedWeights weight, FloatArray bias, FloatArray out, int batch,
            int height, int width, int inChannels, int outChannels) {
        int panelWidth = weight.width();
        int q0 = ctx.globalIdy * PANELS;
        int panels = Math.min(PANELS, weight.count() - q0);
        int col0 = q0 * panelWidth;
        int columns = Math.min(panels * panelWidth, 4 * outChannels - col0);
        int p0 = ctx.globalIdx * ROW_BLOCK;
        int n = Math.min(ROW_BLOCK, batch * height * width - p0);
        int tiles = (n + JvmMicroKernel.ROWS - 1) / JvmMicroKernel.ROWS;
        float[] a = SCRATCH.get(0, tiles * JvmMicroKernel.ROWS * inChannels);
        MemorySegment.copy(in.getSegment(), ValueLayout.JAVA_FLOAT, (long) p0 * inChannels * Float.BYTES, a, 0, n * inChannels);
        Arrays.fill(a, n * inChannels, tiles * JvmMicroKernel.ROWS * inChannels, 0f);
        int ldc = panels * panelWidth;
        float[] c = SCRATCH.get(1, tiles * JvmMicroKernel.ROWS * ldc);
        JvmGemm.multiply(a, inChannels, 1, tiles, weight.panels(), inChannels, q0, panels, c, ldc);
        int outW = 2 * width;
        for (int r = 0; r < n; r++) {
            int pixel = p0 + r;
            int b = pixel / (height * width);
            int rest = pixel - b * height * width;
            int y = rest / width;
            int x = rest - y * width;
            for (int j = 0; j < columns; j++) {
                int column = col0 + j;
                int t = column / outChannels;
                int o = column - t * outChannels;
                int target = (b * 2 * height + 2 * y + t / 2) * outW + 2 * x + t % 2;
                out.set(target * outChannels + o, c[r * ldc + j] + bias.get(o));
            }
        }
    }
}
