package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Reduce each image's tokens to one vector: its class token, or the mean of its patch tokens.
 * <p>Float64 reference: {@link org.vitornado.reference.Pooling}.
 */
public final class PoolingKernels {

    private PoolingKernels() {
    }

    /** Grid 2D: x = channel c, y = image b. */
    public static WorkerGrid grid(int batch, int channels) {
        return Grids.grid2D(channels, batch, 32, 1);
    }

    /** out[b, c] = x[b*tokens, c]. */
    public static void classToken(KernelContext ctx, FloatArray x, FloatArray out, int batch, int tokens, int channels) {
        int c = ctx.globalIdx;
        int b = ctx.globalIdy;
        if (c < channels && b < batch) {
            out.set(b * channels + c, x.get(b * tokens * channels + c));
        }
    }

    /** out[b, c] = mean over t in [start, tokens) of x[b*tokens + t, c]. */
    public static void meanTokens(KernelContext ctx, FloatArray x, FloatArray out, int batch, int tokens, int start, int channels) {
        int c = ctx.globalIdx;
        int b = ctx.globalIdy;
        if (c < channels && b < batch) {
            float sum = 0.0f;
            for (int t = start; t < tokens; t++) {
                sum += x.get((b * tokens + t) * channels + c);
            }
            out.set(b * channels + c, sum / (tokens - start));
        }
    }
}
