package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * ROIAlignV2 for the JVM backend only, the maths of {@code RoiAlignKernels.roiAlign}: the portable kernel's one
 * work-item per pooled value repeats the ROI's geometry and sample weights for every channel and costs more in JVM
 * dispatch than in arithmetic (a detector pools 1,000 ROIs x 49 bins x 256 channels per image). Here a work-item takes
 * one row of bins of one ROI; each sample's four taps and weights are computed once and applied to all channels, a
 * SIMD vector of channels per step.
 *
 * <p>Grid 2D: x = 1, y = (ROI, bin row) over {@code rois * pooled}; local 1 x 1.
 */
public final class JvmRoiAlignKernels {

    private JvmRoiAlignKernels() {
    }

    public static WorkerGrid grid(int rois, int pooled) {
        return Grids.grid2D(1, rois * pooled, 1, 1);
    }

    /** Same arguments as {@code RoiAlignKernels.roiAlign}. */
    public static void roiAlign(KernelContext ctx, FloatArray map, FloatArray rois, FloatArray out, int count, int height, int width, int channels,
            int level, float scale, int pooled) {
        int item = ctx.globalIdy;
        if (item >= count * pooled) {
            return;
        }
        int r = item / pooled;
        int ph = item - r * pooled;
        int row = r * 6;
        if ((int) rois.get(row + 1) != level) {
            return;
        }
        int image = (int) rois.get(row);
        float x0 = rois.get(row + 2) * scale - 0.5f;
        float y0 = rois.get(row + 3) * scale - 0.5f;
        float x1 = rois.get(row + 4) * scale - 0.5f;
        float y1 = rois.get(row + 5) * scale - 0.5f;
        float roiW = x1 - x0;
        float roiH = y1 - y0;
        float binH = roiH / pooled;
        float binW = roiW / pooled;
        int gridH = (int) Math.ceil(roiH / pooled);
        int gridW = (int) Math.ceil(roiW / pooled);
        float samples = Math.max(gridH * gridW, 1);
        MemorySegment ms = map.getSegment();
        MemorySegment os = out.getSegment();
        int lanes = JvmVectors.S.length();
        // Whole vectors, then the tail one float at a time: masked segment accesses take a slow path unless every
        // lane is set, and cost about twice a plain access even then.
        int full = channels - channels % lanes;
        long base = (long) image * height * width;
        for (int pw = 0; pw < pooled; pw++) {
            long dst = (((long) r * pooled + ph) * pooled + pw) * channels * Float.BYTES;
            os.asSlice(dst, (long) channels * Float.BYTES).fill((byte) 0);
            for (int iy = 0; iy < gridH; iy++) {
                float yIn = y0 + ph * binH + (iy + 0.5f) * binH / gridH;
                for (int ix = 0; ix < gridW; ix++) {
                    float xIn = x0 + pw * binW + (ix + 0.5f) * binW / gridW;
                    if (yIn < -1.0f || yIn > height || xIn < -1.0f || xIn > width) {
                        continue;
                    }
                    float y = Math.max(yIn, 0.0f);
                    float x = Math.max(xIn, 0.0f);
                    int yLow = (int) y;
                    int xLow = (int) x;
                    int yHigh = yLow + 1;
                    int xHigh = xLow + 1;
                    if (yLow >= height - 1) {
                        yLow = height - 1;
                        yHigh = height - 1;
                        y = yLow;
                    }
                    if (xLow >= width - 1) {
                        xLow = width - 1;
                        xHigh = width - 1;
                        x = xLow;
                    }
                    float ly = y - yLow;
                    float lx = x - xLow;
                    float hy = 1.0f - ly;
                    float hx = 1.0f - lx;
                    float w1 = hy * hx;
                    float w2 = hy * lx;
                    float w3 = ly * hx;
                    float w4 = ly * lx;
                    long a = (base + (long) yLow * width + xLow) * channels * Float.BYTES;
                    long b = (base + (long) yLow * width + xHigh) * channels * Float.BYTES;
                    long c = (base + (long) yHigh * width + xLow) * channels * Float.BYTES;
                    long d = (base + (long) yHigh * width + xHigh) * channels * Float.BYTES;
                    for (int ch = 0; ch < full; ch += lanes) {
                        long off = (long) ch * Float.BYTES;
                        FloatVector v = FloatVector.fromMemorySegment(JvmVectors.S, ms, a + off, JvmVectors.ORDER).mul(w1)
                                .add(FloatVector.fromMemorySegment(JvmVectors.S, ms, b + off, JvmVectors.ORDER).mul(w2))
                                .add(FloatVector.fromMemorySegment(JvmVectors.S, ms, c + off, JvmVectors.ORDER).mul(w3))
                                .add(FloatVector.fromMemorySegment(JvmVectors.S, ms, d + off, JvmVectors.ORDER).mul(w4));
                        FloatVector.fromMemorySegment(JvmVectors.S, os, dst + off, JvmVectors.ORDER).add(v).intoMemorySegment(os, dst + off, JvmVectors.ORDER);
                    }
                    for (int ch = full; ch < channels; ch++) {
                        long off = (long) ch * Float.BYTES;
                        float v = ms.get(ValueLayout.JAVA_FLOAT, a + off) * w1 + ms.get(ValueLayout.JAVA_FLOAT, b + off) * w2
                                + ms.get(ValueLayout.JAVA_FLOAT, c + off) * w3 + ms.get(ValueLayout.JAVA_FLOAT, d + off) * w4;
                        os.set(ValueLayout.JAVA_FLOAT, dst + off, os.get(ValueLayout.JAVA_FLOAT, dst + off) + v);
                    }
                }
            }
            for (int ch = 0; ch < full; ch += lanes) {
                long off = dst + (long) ch * Float.BYTES;
                FloatVector.fromMemorySegment(JvmVectors.S, os, off, JvmVectors.ORDER).div(samples).intoMemorySegment(os, off, JvmVectors.ORDER);
            }
            for (int ch = full; ch < channels; ch++) {
                long off = dst + (long) ch * Float.BYTES;
                os.set(ValueLayout.JAVA_FLOAT, off, os.get(ValueLayout.JAVA_FLOAT, off) / samples);
            }
        }
    }
}
