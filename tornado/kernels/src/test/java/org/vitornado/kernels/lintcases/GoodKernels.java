package org.vitornado.kernels.lintcases;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Kernels the lint must accept: constant-start @Parallel loops, helpers, small private arrays, maths. */
public final class GoodKernels {

    private GoodKernels() {
    }

    public static void scale(FloatArray x, float s, int n, int offset) {
        for (@Parallel int i = 0; i < n; i++) {
            x.set(i + offset, helper(x.get(i + offset)) * s);
        }
    }

    public static void context(KernelContext ctx, FloatArray x, int n) {
        int i = ctx.globalIdx;
        float[] tmp = new float[4];
        tmp[0] = TornadoMath.exp(x.get(i % n));
        x.set(i % n, tmp[0] + (float) Math.sqrt(2.0));
    }

    static float helper(float v) {
        return TornadoMath.abs(v) + 1.0f;
    }
}
