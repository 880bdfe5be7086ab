package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Version 2 of the row softmax ({@link SoftmaxKernels} is version 1): a work-group per row instead of a work-item, as
 * {@link GroupLayerNormKernels} does for LayerNorm. {@link #GROUP} work-items share a row: each takes the max of every
 * {@code GROUP}-th value, a tree reduction in local memory combines the maxima, then the same for the sum of
 * {@code exp(x - max)}, and all of them write the normalised row.
 * <p>Float64 reference: {@link org.vitornado.reference.Softmax}.
 */
public final class GroupSoftmaxKernels {

    /** Work-items per row. */
    public static final int GROUP = 128;
    /** Above this many rows version 1 already keeps a GPU busy with a work-item per row, and a plan keeps it. */
    public static final int MAX_ROWS = 8192;

    private GroupSoftmaxKernels() {
    }

    /** Grid 1D: one work-group of {@link #GROUP} work-items per row; x = r * GROUP + lane. */
    public static WorkerGrid grid(int rows) {
        WorkerGrid g = new WorkerGrid1D(Math.max(rows, 1) * GROUP);
        g.setLocalWork(GROUP, 1, 1);
        return g;
    }

    /** y[r, :] = exp(x[r, :] - max) / sum exp(x[r, :] - max). y may be x. */
    public static void softmax(KernelContext ctx, FloatArray x, FloatArray y, int rows, int cols) {
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int r = ctx.groupIdx;
        int lane = ctx.localIdx;
        int base = r * cols;
        float max = -Float.MAX_VALUE;
        for (int i = lane; i < cols; i += GROUP) {
            max = TornadoMath.max(max, x.get(base + i));
        }
        part[lane] = max;
        ctx.localBarrier();
        for (int step = GROUP / 2; step > 0; step /= 2) {
            if (lane < step) {
                part[lane] = TornadoMath.max(part[lane], part[lane + step]);
            }
            ctx.localBarrier();
        }
        float rowMax = part[0];
        // Everyone has read the max before part[] is reused.
        ctx.localBarrier();
        float sum = 0.0f;
        for (int i = lane; i < cols; i += GROUP) {
            sum += TornadoMath.exp(x.get(base + i) - rowMax);
        }
        part[lane] = sum;
        ctx.localBarrier();
        for (int step = GROUP / 2; step > 0; step /= 2) {
            if (lane < step) {
                part[lane] += part[lane + step];
            }
            ctx.localBarrier();
        }
        float inv = 1.0f / part[0];
        for (int i = lane; i < cols; i += GROUP) {
            y.set(base + i, TornadoMath.exp(x.get(base + i) - rowMax) * inv);
        }
    }
}
