package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Segmenter's class masks: the cosine similarity of every patch feature with every class feature,
 * {@code masks[b, t, k] = (p_t / |p_t|) . (c_k / |c_k|)} (DEPICT and Segmenter L2-normalise both, without epsilon).
 * <p>Float64 reference: {@link org.vitornado.reference.ClassMasks}.
 */
public final class MaskKernels {

    private MaskKernels() {
    }

    /** Grid 2D: x = class k, y = b * tokens + t. */
    public static WorkerGrid grid(int batch, int tokens, int classes) {
        return Grids.grid2D(classes, batch * tokens, 8, 8);
    }

    /**
     * out[(b*tokens + t) * classes + k] = cos(patch t, class k) of image b. Patch t is row
     * {@code b * patchImageRows + patchStart + t} of {@code patches}, class k row {@code b * classImageRows + classStart + k}
     * of {@code classes} (both {@code dim} wide), so the features can stay where the decoder left them.
     */
    public static void classMasks(KernelContext ctx, FloatArray patches, FloatArray classFeatures, FloatArray out, int batch, int tokens,
            int classes, int dim, int patchImageRows, int patchStart, int classImageRows, int classStart) {
        int k = ctx.globalIdx;
        int bt = ctx.globalIdy;
        if (k >= classes || bt >= batch * tokens) {
            return;
        }
        int b = bt / tokens;
        int t = bt - b * tokens;
        int p = (b * patchImageRows + patchStart + t) * dim;
        int c = (b * classImageRows + classStart + k) * dim;
        float pc = LinearKernels.dot(patches, p, classFeatures, c, dim);
        float pp = LinearKernels.dot(patches, p, patches, p, dim);
        float cc = LinearKernels.dot(classFeatures, c, classFeatures, c, dim);
        out.set(bt * classes + k, pc / (TornadoMath.sqrt(pp) * TornadoMath.sqrt(cc)));
    }
}
