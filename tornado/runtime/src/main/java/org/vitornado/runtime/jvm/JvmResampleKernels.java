package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitornado.kernels.Grids;
import org.vitornado.kernels.ResampleKernels;

import jdk.incubator.vector.FloatVector;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * PyTorch's bilinear resize of channels-last maps for the JVM backend only, the maths of
 * {@code ResampleKernels.bilinear}: the portable kernel's one work-item per output value costs more in JVM dispatch
 * than in arithmetic on large maps (SegFormer's 512 x 512 x 150 scores), so here a work-item takes {@value #BLOCK}
 * output pixels and all channels, a SIMD vector of channels per step.
 *
 * {@link #bicubic} does the same for the plain bicubic resize of a position embedding (ViTDet's 14 x 14 to 64 x 64 x
 * 768: three million work-items in the portable kernel).
 *
 * <p>Grid 2D: x = 1, y = block of {@value #BLOCK} output pixels over {@code batch * outH * outW}; local 1 x 1.
 */
public final class JvmResampleKernels {

    static final int BLOCK = 64;

    private JvmResampleKernels() {
    }

    public static WorkerGrid grid(int batch, int outH, int outW) {
        return Grids.grid2D(1, (batch * outH * outW + BLOCK - 1) / BLOCK, 1, 1);
    }

    /** Same arguments as {@code ResampleKernels.bilinear}. */
    public static void bilinear(KernelContext ctx, FloatArray in, FloatArray out, int batch, int inH, int inW, int fullH, int fullW, int outH,
            int outW, int channels, int alignCorners, int outStride, int outOffset) {
        int p0 = ctx.globalIdy * BLOCK;
        int pEnd = Math.min(p0 + BLOCK, batch * outH * outW);
        MemorySegment is = in.getSegment();
        MemorySegment os = out.getSegment();
        int lanes = JvmVectors.S.length();
        for (int p = p0; p < pEnd; p++) {
            int b = p / (outH * outW);
            int o = p - b * outH * outW;
            int oy = o / outW;
            int ox = o - oy * outW;
            float sy = ResampleKernels.sourceCoordinate(oy, inH, fullH, alignCorners);
            float sx = ResampleKernels.sourceCoordinate(ox, inW, fullW, alignCorners);
            int y0 = (int) sy;
            int x0 = (int) sx;
            int y1 = Math.min(y0 + 1, inH - 1);
            int x1 = Math.min(x0 + 1, inW - 1);
            float ly = sy - y0;
            float lx = sx - x0;
            int base = b * inH * inW;
            long a = (long) (base + y0 * inW + x0) * channels * Float.BYTES;
            long bb = (long) (base + y0 * inW + x1) * channels * Float.BYTES;
            long c = (long) (base + y1 * inW + x0) * channels * Float.BYTES;
            long d = (long) (base + y1 * inW + x1) * channels * Float.BYTES;
            long dst = ((long) p * outStride + outOffset) * Float.BYTES;
            int ch = 0;
            for (; ch <= channels - lanes; ch += lanes) {
                long off = (long) ch * Float.BYTES;
                FloatVector top = FloatVector.fromMemorySegment(JvmVectors.S, is, a + off, JvmVectors.ORDER).mul(1.0f - lx)
                        .add(FloatVector.fromMemorySegment(JvmVectors.S, is, bb + off, JvmVectors.ORDER).mul(lx));
                FloatVector bottom = FloatVector.fromMemorySegment(JvmVectors.S, is, c + off, JvmVectors.ORDER).mul(1.0f - lx)
                        .add(FloatVector.fromMemorySegment(JvmVectors.S, is, d + off, JvmVectors.ORDER).mul(lx));
                top.mul(1.0f - ly).add(bottom.mul(ly)).intoMemorySegment(os, dst + off, JvmVectors.ORDER);
            }
            // The tail one float at a time: masked segment accesses take a slow path unless every lane is set.
            for (; ch < channels; ch++) {
                long off = (long) ch * Float.BYTES;
                float top = is.get(ValueLayout.JAVA_FLOAT, a + off) * (1.0f - lx) + is.get(ValueLayout.JAVA_FLOAT, bb + off) * lx;
                float bottom = is.get(ValueLayout.JAVA_FLOAT, c + off) * (1.0f - lx) + is.get(ValueLayout.JAVA_FLOAT, d + off) * lx;
                os.set(ValueLayout.JAVA_FLOAT, dst + off, top * (1.0f - ly) + bottom * ly);
            }
        }
    }

    /**
     * Same arguments as {@code ResampleKernels.bicubic} (a = -0.75, taps {@code floor(s) - 1 .. floor(s) + 2} clamped to
     * the grid), over {@code outH * outW} output positions; the weights come from {@code ResampleKernels.cubic}.
     */
    public static void bicubic(KernelContext ctx, FloatArray in, FloatArray out, int inH, int inW, int outH, int outW, int channels, int inOffset,
            int outOffset) {
        int p0 = ctx.globalIdy * BLOCK;
        int pEnd = Math.min(p0 + BLOCK, outH * outW);
        MemorySegment is = in.getSegment();
        MemorySegment os = out.getSegment();
        int lanes = JvmVectors.S.length();
        int full = channels - channels % lanes;
        float[] weights = new float[16];
        long[] taps = new long[16];
        for (int o = p0; o < pEnd; o++) {
            int oy = o / outW;
            int ox = o - oy * outW;
            float sy = (float) inH / outH * (oy + 0.5f) - 0.5f;
            float sx = (float) inW / outW * (ox + 0.5f) - 0.5f;
            float fy = (float) Math.floor(sy);
            float fx = (float) Math.floor(sx);
            for (int dy = -1; dy <= 2; dy++) {
                int iy = Math.clamp((int) fy + dy, 0, inH - 1);
                float wy = ResampleKernels.cubic(sy - fy - dy, -0.75f);
                for (int dx = -1; dx <= 2; dx++) {
                    int ix = Math.clamp((int) fx + dx, 0, inW - 1);
                    int t = (dy + 1) * 4 + dx + 1;
                    weights[t] = wy * ResampleKernels.cubic(sx - fx - dx, -0.75f);
                    taps[t] = (long) (inOffset + iy * inW + ix) * channels;
                }
            }
            long dst = (long) (outOffset + o) * channels;
            for (int c = 0; c < full; c += lanes) {
                FloatVector acc = FloatVector.zero(JvmVectors.S);
                for (int t = 0; t < 16; t++) {
                    acc = FloatVector.fromMemorySegment(JvmVectors.S, is, (taps[t] + c) * Float.BYTES, JvmVectors.ORDER).mul(weights[t]).add(acc);
                }
                acc.intoMemorySegment(os, (dst + c) * Float.BYTES, JvmVectors.ORDER);
            }
            for (int c = full; c < channels; c++) {
                float acc = 0f;
                for (int t = 0; t < 16; t++) {
                    acc += weights[t] * is.getAtIndex(ValueLayout.JAVA_FLOAT, taps[t] + c);
                }
                os.setAtIndex(ValueLayout.JAVA_FLOAT, dst + c, acc);
            }
        }
    }
}
