package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * LayerNorm over the last dimension (PyTorch semantics: biased variance, eps inside the square root).
 * <p>Float64 reference: {@link org.vitornado.reference.LayerNorm}.
 */
public final class LayerNormKernels {

    private LayerNormKernels() {
    }

    /** Grid 1D: x = row r; one work-item normalises one row (two passes: mean, then variance). */
    public static WorkerGrid grid(int rows) {
        return Grids.grid1D(rows, 32);
    }

    /** y[r, :] = (x[r, :] - mean) / sqrt(var + eps) * gamma + beta. y may be x. */
    public static void layerNorm(KernelContext ctx, FloatArray x, FloatArray gamma, FloatArray beta, FloatArray y, int rows, int cols, float eps) {
        int r = ctx.globalIdx;
        if (r >= rows) {
            return;
        }
        int base = r * cols;
        float sum = 0.0f;
        for (int i = 0; i < cols; i++) {
            sum += x.get(base + i);
        }
        float mean = sum / cols;
        float squares = 0.0f;
        for (int i = 0; i < cols; i++) {
            float d = x.get(base + i) - mean;
            squares += d * d;
        }
        float inv = 1.0f / TornadoMath.sqrt(squares / cols + eps);
        for (int i = 0; i < cols; i++) {
            y.set(base + i, (x.get(base + i) - mean) * inv * gamma.get(i) + beta.get(i));
        }
    }
}
