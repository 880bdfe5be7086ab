package org.vitornado.runtime.jvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Channels-last convolutions for the JVM backend only, the maths of {@code ConvKernels.conv2d} (weights
 * {@code [out, in/groups, k, k]}, stride, zero padding) in the two shapes the models use:
 * <ul>
 * <li>{@link #conv2d} ({@code groups = 1}) as an implicit matrix product: a work-item takes {@value #BLOCK} output
 * pixels x {@value #BLOCK} filters; every 4 pixels' receptive fields are gathered in the weights' order
 * ({@code [c][ky][kx]}, zeros for padding) into off-heap scratch and met with 4 filters at a time in SIMD register
 * tiles;</li>
 * <li>{@link #depthwise} ({@code groups = in = out}, SegFormer's Mix-FFN): a vector of channels per FMA, taps
 * re-laid {@code [ky][kx][c]} once per work-item.</li>
 * </ul>
 * Grid 2D: x = filter block (1 for depthwise), y = output-pixel block; local 1 x 1.
 */
public final class JvmConvKernels {

    static final int BLOCK = 64;

    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[] {MemorySegment.NULL});
    private static final ThreadLocal<float[][]> TAPS = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    private JvmConvKernels() {
    }

    /** Whether the CPU kernels cover this convolution (dense or depthwise). */
    public static boolean supports(int inChannels, int outChannels, int groups) {
        return groups == 1 || (groups == inChannels && groups == outChannels);
    }

    public static WorkerGrid grid(int batch, int outH, int outW, int outChannels, int groups) {
        int filterBlocks = groups == 1 ? (outChannels + BLOCK - 1) / BLOCK : 1;
        return Grids.grid2D(filterBlocks, (batch * outH * outW + BLOCK - 1) / BLOCK, 1, 1);
    }

    private static MemorySegment scratch(long bytes) {
        MemorySegment[] s = SCRATCH.get();
        if (s[0].byteSize() < bytes) {
            s[0] = Arena.ofAuto().allocate(bytes, 64);
        }
        return s[0];
    }

    /** Dense convolution ({@code groups = 1}); same arguments as {@code ConvKernels.conv2d}. */
    public static void conv2d(KernelContext ctx, FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int batch, int height,
            int width, int inChannels, int outChannels, int kernelSize, int stride, int pad, int groups, int outH, int outW) {
        int o0 = ctx.globalIdx * BLOCK;
        int p0 = ctx.globalIdy * BLOCK;
        int oEnd = Math.min(o0 + BLOCK, outChannels);
        int pEnd = Math.min(p0 + BLOCK, batch * outH * outW);
        int taps = kernelSize * kernelSize;
        int k = inChannels * taps;
        long rowBytes = (long) k * Float.BYTES;
        MemorySegment cols = scratch(4 * rowBytes);
        MemorySegment ws = weight.getSegment();
        float[] acc = new float[16];
        for (int p = p0; p < pEnd; p += 4) {
            int rows = Math.min(4, pEnd - p);
            for (int r = 0; r < rows; r++) {
                gather(in, cols, r * (long) k, p + r, height, width, inChannels, kernelSize, stride, pad, outH, outW);
            }
            for (int o = o0; o < oEnd; o += 4) {
                JvmTiles.dot4x4(cols, 0, Math.min(1, rows - 1) * rowBytes, Math.min(2, rows - 1) * rowBytes, Math.min(3, rows - 1) * rowBytes,
                        ws, Math.min(o, outChannels - 1) * rowBytes, Math.min(o + 1, outChannels - 1) * rowBytes,
                        Math.min(o + 2, outChannels - 1) * rowBytes, Math.min(o + 3, outChannels - 1) * rowBytes, k, acc);
                for (int r = 0; r < rows; r++) {
                    for (int j = 0; j < 4 && o + j < oEnd; j++) {
                        out.set((p + r) * outChannels + o + j, acc[r * 4 + j] + bias.get(o + j));
                    }
                }
            }
        }
    }

    /** The receptive field of output pixel {@code pixel}, as {@code [c][ky][kx]} floats from element {@code at} of {@code cols}. */
    private static void gather(FloatArray in, MemorySegment cols, long at, int pixel, int height, int width, int channels, int kernelSize,
            int stride, int pad, int outH, int outW) {
        int b = pixel / (outH * outW);
        int rest = pixel - b * outH * outW;
        int oy = rest / outW;
        int ox = rest - oy * outW;
        int taps = kernelSize * kernelSize;
        for (int ky = 0; ky < kernelSize; ky++) {
            int iy = oy * stride - pad + ky;
            for (int kx = 0; kx < kernelSize; kx++) {
                int ix = ox * stride - pad + kx;
                boolean inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
                int src = ((b * height + iy) * width + ix) * channels;
                long dst = at + ky * kernelSize + kx;
                for (int c = 0; c < channels; c++) {
                    cols.setAtIndex(ValueLayout.JAVA_FLOAT, dst + (long) c * taps, inside ? in.get(src + c) : 0f);
                }
            }
        }
    }

    /** Depthwise convolution ({@code groups = in = out}); same arguments as {@code ConvKernels.conv2d}. */
    public static void depthwise(KernelContext ctx, FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int batch, int height,
            int width, int inChannels, int outChannels, int kernelSize, int stride, int pad, int groups, int outH, int outW) {
        int p0 = ctx.globalIdy * BLOCK;
        int pEnd = Math.min(p0 + BLOCK, batch * outH * outW);
        int channels = outChannels;
        int taps = kernelSize * kernelSize;
        float[][] holder = TAPS.get();
        if (holder[0].length < taps * channels + 2 * channels) {
            holder[0] = new float[taps * channels + 2 * channels];
        }
        float[] w = holder[0];
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
        int lanes = JvmTiles.S.length();
        for (int p = p0; p < pEnd; p++) {
            int b = p / (outH * outW);
            int rest = p - b * outH * outW;
            int oy = rest / outW;
            int ox = rest - oy * outW;
            for (int c = 0; c < channels; c += lanes) {
                VectorMask<Float> m = JvmTiles.S.indexInRange(c, channels);
                FloatVector acc = FloatVector.fromArray(JvmTiles.S, w, biasAt + c, m);
                for (int ky = 0; ky < kernelSize; ky++) {
                    int iy = oy * stride - pad + ky;
                    if (iy < 0 || iy >= height) {
                        continue;
                    }
                    for (int kx = 0; kx < kernelSize; kx++) {
                        int ix = ox * stride - pad + kx;
                        if (ix < 0 || ix >= width) {
                            continue;
                        }
                        long src = ((long) ((b * height + iy) * width + ix) * channels + c) * Float.BYTES;
                        FloatVector x = FloatVector.fromMemorySegment(JvmTiles.S, is, src, JvmTiles.ORDER, m);
                        acc = x.fma(FloatVector.fromArray(JvmTiles.S, w, (ky * kernelSize + kx) * channels + c, m), acc);
                    }
                }
                acc.intoMemorySegment(os, ((long) p * channels + c) * Float.BYTES, JvmTiles.ORDER, m);
            }
        }
    }

    public static WorkerGrid transposeGrid(int batch, int height, int width, int outChannels) {
        return Grids.grid2D((outChannels + BLOCK - 1) / BLOCK, (batch * height * width + BLOCK - 1) / BLOCK, 1, 1);
    }

    /**
     * ConvTranspose2d(k = 2, stride 2), the maths of {@code ConvKernels.convTranspose2x2}: each input pixel feeds a 2 x 2
     * output patch, {@code out[2y+dy][2x+dx][o] = b[o] + in[y][x] . w[:, o, dy, dx]}, four matrix products. A work-item
     * takes {@value #BLOCK} input pixels x {@value #BLOCK} filters; the filters' taps are copied as rows
     * {@code [dy dx][o][c]} (off-heap scratch) so both operands of the register tiles are contiguous.
     */
    public static void convTranspose2x2(KernelContext ctx, FloatArray in, FloatArray weight, FloatArray bias, FloatArray out, int batch,
            int height, int width, int inChannels, int outChannels) {
        int o0 = ctx.globalIdx * BLOCK;
        int p0 = ctx.globalIdy * BLOCK;
        int oEnd = Math.min(o0 + BLOCK, outChannels);
        int pEnd = Math.min(p0 + BLOCK, batch * height * width);
        int filters = oEnd - o0;
        long rowBytes = (long) inChannels * Float.BYTES;
        MemorySegment wT = scratch(4L * filters * rowBytes);
        for (int t = 0; t < 4; t++) {
            for (int o = 0; o < filters; o++) {
                for (int c = 0; c < inChannels; c++) {
                    wT.setAtIndex(ValueLayout.JAVA_FLOAT, ((long) t * filters + o) * inChannels + c, weight.get((c * outChannels + o0 + o) * 4 + t));
                }
            }
        }
        MemorySegment is = in.getSegment();
        float[] acc = new float[16];
        int outW = 2 * width;
        for (int p = p0; p < pEnd; p += 4) {
            int rows = Math.min(4, pEnd - p);
            for (int t = 0; t < 4; t++) {
                int dy = t / 2;
                int dx = t % 2;
                for (int o = 0; o < filters; o += 4) {
                    long w0 = ((long) t * filters + o) * rowBytes;
                    JvmTiles.dot4x4(is, p * rowBytes, Math.min(p + 1, pEnd - 1) * rowBytes, Math.min(p + 2, pEnd - 1) * rowBytes,
                            Math.min(p + 3, pEnd - 1) * rowBytes, wT, w0, w0 + Math.min(1, filters - 1 - o) * rowBytes,
                            w0 + Math.min(2, filters - 1 - o) * rowBytes, w0 + Math.min(3, filters - 1 - o) * rowBytes, inChannels, acc);
                    for (int r = 0; r < rows; r++) {
                        int pixel = p + r;
                        int b = pixel / (height * width);
                        int rest = pixel - b * height * width;
                        int y = rest / width;
                        int x = rest - y * width;
                        int target = (b * 2 * height + 2 * y + dy) * outW + 2 * x + dx;
                        for (int j = 0; j < 4 && o + j < filters; j++) {
                            out.set(target * outChannels + o0 + o + j, acc[r * 4 + j] + bias.get(o0 + o + j));
                        }
                    }
                }
            }
        }
    }
}
