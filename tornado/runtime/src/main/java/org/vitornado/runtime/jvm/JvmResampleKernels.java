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
        int lanes = JvmTiles.S.length();
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
                FloatVector top = FloatVector.fromMemorySegment(JvmTiles.S, is, a + off, JvmTiles.ORDER).mul(1.0f - lx)
                        .add(FloatVector.fromMemorySegment(JvmTiles.S, is, bb + off, JvmTiles.ORDER).mul(lx));
                FloatVector bottom = FloatVector.fromMemorySegment(JvmTiles.S, is, c + off, JvmTiles.ORDER).mul(1.0f - lx)
                        .add(FloatVector.fromMemorySegment(JvmTiles.S, is, d + off, JvmTiles.ORDER).mul(lx));
                top.mul(1.0f - ly).add(bottom.mul(ly)).intoMemorySegment(os, dst + off, JvmTiles.ORDER);
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
}
