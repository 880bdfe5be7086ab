package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Version 2 of LayerNorm ({@link LayerNormKernels} is version 1): the same maths with a work-group per row instead of
 * a work-item. A ViT has only a few hundred rows per image, so version 1 keeps a few hundred threads busy, far fewer
 * than a GPU runs at once, each walking a whole row alone. Here 128 work-items share a row: each sums every 128th
 * value, a tree reduction in local memory combines the sums (mean, then the squared deviations, as version 1's two
 * passes), and all 128 write the normalised row.
 * <p>Float64 reference: {@link org.vitornado.reference.LayerNorm}.
 */
public final class GroupLayerNormKernels {

    /** Work-items per row. */
    public static final int GROUP = 128;
    /**
     * Above this many rows version 1 already runs a work-item per row on thousands of rows at once (a detector's
     * channel norms over whole feature maps), and a plan keeps it.
     */
    public static final int MAX_ROWS = 8192;

    private GroupLayerNormKernels() {
    }

    /** Grid 1D: one work-group of {@link #GROUP} work-items per row (exactly {@code rows} groups); x = r * GROUP + lane. */
    public static WorkerGrid grid(int rows) {
        WorkerGrid g = new uk.ac.manchester.tornado.api.WorkerGrid1D(Math.max(rows, 1) * GROUP);
        g.setLocalWork(GROUP, 1, 1);
        return g;
    }

    /** y[r, :] = (x[r, :] - mean) / sqrt(var + eps) * gamma + beta. y may be x. */
    public static void layerNorm(KernelContext ctx, FloatArray x, FloatArray gamma, FloatArray beta, FloatArray y, int rows, int cols, float eps) {
        float[] part = ctx.allocateFloatLocalArray(GROUP);
        int r = ctx.groupIdx;
        int lane = ctx.localIdx;
        int base = r * cols;
        float sum = 0.0f;
        for (int i = lane; i < cols; i += GROUP) {
            sum += x.get(base + i);
        }
        part[lane] = sum;
        ctx.localBarrier();
        for (int step = GROUP / 2; step > 0; step /= 2) {
            if (lane < step) {
                part[lane] += part[lane + step];
            }
            ctx.localBarrier();
        }
        float mean = part[0] / cols;
        // Everyone has read the sum before part[] is reused.
        ctx.localBarrier();
        float squares = 0.0f;
        for (int i = lane; i < cols; i += GROUP) {
            float d = x.get(base + i) - mean;
            squares += d * d;
        }
        part[lane] = squares;
        ctx.localBarrier();
        for (int step = GROUP / 2; step > 0; step /= 2) {
            if (lane < step) {
                part[lane] += part[lane + step];
            }
            ctx.localBarrier();
        }
        float inv = 1.0f / TornadoMath.sqrt(part[0] / cols + eps);
        for (int i = lane; i < cols; i += GROUP) {
            y.set(base + i, (x.get(base + i) - mean) * inv * gamma.get(i) + beta.get(i));
        }
    }
}
