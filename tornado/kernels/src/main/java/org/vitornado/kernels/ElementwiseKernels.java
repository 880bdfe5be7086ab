package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Element-by-element arithmetic on whole arrays: residual additions that no other kernel can fuse. */
public final class ElementwiseKernels {

    private ElementwiseKernels() {
    }

    /** x[i] += y[i] for i in [0, n). One parallel loop over the elements. */
    public static void addInPlace(FloatArray x, FloatArray y, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            x.set(i, x.get(i) + y.get(i));
        }
    }
}
