package org.vitornado.runtime.jvm;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A linear layer's weights {@code W [out, in]} laid out once, when the plan is built, in the order that
 * {@link JvmMicroKernel} streams them: panels of {@link #width} output features, each panel {@code [in][width]}
 * (feature fastest), so that at every k the micro-kernel loads the panel's row at k as four consecutive vectors. The
 * last panel is padded with zero features.
 *
 * <p>A Java heap array rather than a {@code FloatArray}: C1 and C2 compile the micro-kernel's array loads reliably,
 * where the same loop over a {@code MemorySegment} sometimes stays in C1 (out of virtual registers) and runs a
 * hundred times slower.
 *
 * @param panels {@code panels[(p * in + k) * width + j] = W[p * width + j, k]}, 0 past {@code out}
 * @param in     reduction length
 * @param out    output features
 * @param width  features per panel ({@link JvmMicroKernel#width()})
 */
public record JvmPackedWeights(float[] panels, int in, int out, int width) {

    /** Panels of {@code w}, a row-major {@code [out, in]} array. */
    public static JvmPackedWeights pack(FloatArray w, int in, int out) {
        if ((long) in * out > w.getSize()) {
            throw new IllegalArgumentException("weights of " + w.getSize() + " floats cannot be [" + out + ", " + in + "]");
        }
        int width = JvmMicroKernel.width();
        int count = (out + width - 1) / width;
        if ((long) count * width * in > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a [" + out + ", " + in + "] weight matrix is too large for the JVM's packed layout");
        }
        float[] panels = new float[count * width * in];
        for (int n = 0; n < out; n++) {
            int p = n / width;
            int j = n % width;
            long row = (long) n * in;
            for (int k = 0; k < in; k++) {
                panels[(p * in + k) * width + j] = w.get((int) (row + k));
            }
        }
        return new JvmPackedWeights(panels, in, out, width);
    }

    /** Number of panels. */
    int count() {
        return panels.length / (width * in);
    }
}
