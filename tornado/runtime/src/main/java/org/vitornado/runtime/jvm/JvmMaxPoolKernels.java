package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Max pooling for the JVM backend only, the maths of {@code ConvKernels.maxPool2d} (square window, stride, padded taps
 * left out) on channels-last maps, a vector of channels per step: the portable kernel's one work-item per value costs
 * more in JVM dispatch than the comparisons (a tenth of DETR-R50's time at 800x1333).
 *
 * <p>Grid 1D: x = block of {@value #PIXELS} output pixels (all channels); local 1.
 */
public final class JvmMaxPoolKernels {

    static final int PIXELS = 64;

    private JvmMaxPoolKernels() {
    }

    public static WorkerGrid grid(int batch, int outH, int outW) {
        return Grids.grid1D((batch * outH * outW + PIXELS - 1) / PIXELS, 1);
    }

    /** Same arguments as {@code ConvKernels.maxPool2d}. */
    public static void maxPool2d(KernelContext ctx, FloatArray in, FloatArray out, int batch, int height, int width, int channels, int kernelSize,
            int stride, int padTop, int padLeft, int outH, int outW) {
        MemorySegment is = in.getSegment();
        MemorySegment os = out.getSegment();
        int lanes = JvmVectors.S.length();
        int full = channels - channels % lanes;
        int p0 = ctx.globalIdx * PIXELS;
        int p1 = Math.min(p0 + PIXELS, batch * outH * outW);
        for (int p = p0; p < p1; p++) {
            int b = p / (outH * outW);
            int rest = p - b * outH * outW;
            int oy = rest / outW;
            int ox = rest - oy * outW;
            int y0 = Math.max(oy * stride - padTop, 0);
            int y1 = Math.min(oy * stride - padTop + kernelSize, height);
            int x0 = Math.max(ox * stride - padLeft, 0);
            int x1 = Math.min(ox * stride - padLeft + kernelSize, width);
            long dst = (long) p * channels;
            for (int c = 0; c < full; c += lanes) {
                FloatVector best = FloatVector.broadcast(JvmVectors.S, -Float.MAX_VALUE);
                for (int iy = y0; iy < y1; iy++) {
                    for (int ix = x0; ix < x1; ix++) {
                        long src = ((long) (b * height + iy) * width + ix) * channels + c;
                        best = best.max(FloatVector.fromMemorySegment(JvmVectors.S, is, src * Float.BYTES, JvmVectors.ORDER));
                    }
                }
                best.intoMemorySegment(os, (dst + c) * Float.BYTES, JvmVectors.ORDER);
            }
            for (int c = full; c < channels; c++) {
                float best = -Float.MAX_VALUE;
                for (int iy = y0; iy < y1; iy++) {
                    for (int ix = x0; ix < x1; ix++) {
                        best = Math.max(best, is.getAtIndex(ValueLayout.JAVA_FLOAT, ((long) (b * height + iy) * width + ix) * channels + c));
                    }
                }
                os.setAtIndex(ValueLayout.JAVA_FLOAT, dst + c, best);
            }
        }
    }
}
