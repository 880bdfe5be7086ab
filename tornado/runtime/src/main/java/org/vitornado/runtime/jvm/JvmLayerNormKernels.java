package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * LayerNorm for the JVM backend only: the maths of {@code LayerNormKernels.layerNorm} (biased variance, eps inside
 * the square root, mean then variance in two passes) with SIMD vectors along the row, and {@value #ROWS} rows per
 * work-item so that a task is a few dozen work-items rather than one per token.
 *
 * <p>Grid 1D: x = block of {@value #ROWS} rows; local 1.
 */
public final class JvmLayerNormKernels {

    static final int ROWS = 16;

    private JvmLayerNormKernels() {
    }

    public static WorkerGrid grid(int rows) {
        return Grids.grid1D((rows + ROWS - 1) / ROWS, 1);
    }

    /** {@code y[r, :] = (x[r, :] - mean) / sqrt(var + eps) * gamma + beta} for this block's rows; y may be x. */
    public static void layerNorm(KernelContext ctx, FloatArray x, FloatArray gamma, FloatArray beta, FloatArray y, int rows, int cols, float eps) {
        MemorySegment xs = x.getSegment();
        MemorySegment gs = gamma.getSegment();
        MemorySegment bs = beta.getSegment();
        MemorySegment ys = y.getSegment();
        int lanes = JvmVectors.S.length();
        int end = Math.min(rows, (ctx.globalIdx + 1) * ROWS);
        int full = cols - cols % lanes;
        for (int r = ctx.globalIdx * ROWS; r < end; r++) {
            long row = (long) r * cols * Float.BYTES;
            // Whole vectors, then the tail one float at a time (masked accesses to a segment take a slow path when the
            // mask is not all set).
            FloatVector sum = FloatVector.zero(JvmVectors.S);
            for (int i = 0; i < full; i += lanes) {
                sum = sum.add(FloatVector.fromMemorySegment(JvmVectors.S, xs, row + (long) i * Float.BYTES, JvmVectors.ORDER));
            }
            float total = sum.reduceLanes(VectorOperators.ADD);
            for (int i = full; i < cols; i++) {
                total += xs.get(ValueLayout.JAVA_FLOAT, row + (long) i * Float.BYTES);
            }
            float mean = total / cols;
            FloatVector squares = FloatVector.zero(JvmVectors.S);
            for (int i = 0; i < full; i += lanes) {
                FloatVector d = FloatVector.fromMemorySegment(JvmVectors.S, xs, row + (long) i * Float.BYTES, JvmVectors.ORDER).sub(mean);
                squares = d.fma(d, squares);
            }
            float sumOfSquares = squares.reduceLanes(VectorOperators.ADD);
            for (int i = full; i < cols; i++) {
                float d = xs.get(ValueLayout.JAVA_FLOAT, row + (long) i * Float.BYTES) - mean;
                sumOfSquares += d * d;
            }
            float inv = 1.0f / (float) Math.sqrt(sumOfSquares / cols + eps);
            for (int i = 0; i < full; i += lanes) {
                long at = row + (long) i * Float.BYTES;
                long channel = (long) i * Float.BYTES;
                FloatVector.fromMemorySegment(JvmVectors.S, xs, at, JvmVectors.ORDER).sub(mean).mul(inv)
                        .mul(FloatVector.fromMemorySegment(JvmVectors.S, gs, channel, JvmVectors.ORDER))
                        .add(FloatVector.fromMemorySegment(JvmVectors.S, bs, channel, JvmVectors.ORDER)).intoMemorySegment(ys, at, JvmVectors.ORDER);
            }
            for (int i = full; i < cols; i++) {
                long at = row + (long) i * Float.BYTES;
                long channel = (long) i * Float.BYTES;
                float v = (xs.get(ValueLayout.JAVA_FLOAT, at) - mean) * inv * gs.get(ValueLayout.JAVA_FLOAT, channel) + bs.get(ValueLayout.JAVA_FLOAT, channel);
                ys.set(ValueLayout.JAVA_FLOAT, at, v);
            }
        }
    }
}
