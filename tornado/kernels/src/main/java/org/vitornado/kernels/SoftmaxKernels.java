package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Row-wise softmax, max-subtracted so large logits do not overflow.
 * <p>Float64 reference: {@link org.vitornado.reference.Softmax}.
 */
public final class SoftmaxKernels {

    private SoftmaxKernels() {
    }

    /** Grid 1D: x = row r. */
    public static WorkerGrid grid(int rows) {
        return Grids.grid1D(rows, 32);
    }

    /** y[r, :] = exp(x[r, :] - max) / sum exp(x[r, :] - max). y may be x. */
    public static void softmax(KernelContext ctx, FloatArray x, FloatArray y, int rows, int cols) {
        int r = ctx.globalIdx;
        if (r >= rows) {
            return;
        }
        int base = r * cols;
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < cols; i++) {
            max = TornadoMath.max(max, x.get(base + i));
        }
        float sum = 0.0f;
        for (int i = 0; i < cols; i++) {
            float e = TornadoMath.exp(x.get(base + i) - max);
            y.set(base + i, e);
            sum += e;
        }
        float inv = 1.0f / sum;
        for (int i = 0; i < cols; i++) {
            y.set(base + i, y.get(base + i) * inv);
        }
    }
}
