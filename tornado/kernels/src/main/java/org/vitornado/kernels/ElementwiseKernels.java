package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Element-by-element arithmetic on whole arrays: residual and position additions that no other kernel can fuse.
 * <p>Float64 reference: {@link org.vitornado.reference.Elementwise}.
 */
public final class ElementwiseKernels {

    private ElementwiseKernels() {
    }

    /** x[i] += y[i] for i in [0, n). One parallel loop over the elements. */
    public static void addInPlace(FloatArray x, FloatArray y, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            x.set(i, x.get(i) + y.get(i));
        }
    }

    /** out[i] = x[i] + y[i] for i in [0, n): a query or key with its position embedding added (DETR). One parallel loop. */
    public static void add(FloatArray x, FloatArray y, FloatArray out, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out.set(i, x.get(i) + y.get(i));
        }
    }

    /** x[i] = max(x[i] + y[i], 0) for i in [0, n): a ResNet block's shortcut added, then ReLU. One parallel loop. */
    public static void addReluInPlace(FloatArray x, FloatArray y, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            x.set(i, TornadoMath.max(x.get(i) + y.get(i), 0.0f));
        }
    }

    /**
     * Copies {@code rows} rows of {@code channels} per image: dst row {@code b * dstImageRows + dstStart + r} =
     * src row {@code b * srcImageRows + srcStart + r}. {@code srcImageRows = 0} broadcasts one block to every image
     * (learned class embeddings); otherwise it selects or places token ranges (drop a class token, concatenate).
     * One parallel loop over {@code batch * rows * channels} values.
     */
    public static void copyRows(FloatArray src, FloatArray dst, int batch, int rows, int channels, int srcImageRows, int srcStart,
            int dstImageRows, int dstStart) {
        for (@Parallel int i = 0; i < batch * rows * channels; i++) {
            int c = i % channels;
            int br = i / channels;
            int b = br / rows;
            int r = br - b * rows;
            dst.set((b * dstImageRows + dstStart + r) * channels + c, src.get((b * srcImageRows + srcStart + r) * channels + c));
        }
    }
}
