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
 * @param source the weights it was packed from (what the plan reports as its array memory for them; the packed copy
 *               is on the Java heap)
 */
public record JvmPackedWeights(float[] panels, int in, int out, int width, FloatArray source) {

    /** Panels of {@code w}, a row-major {@code [out, in]} array. */
    public static JvmPackedWeights pack(FloatArray w, int in, int out) {
        return pack(w, in, out, (n, k) -> (long) n * in + k);
    }

    /**
     * Panels of a convolution's filters {@code w [out, channels, k, k]} with the reduction ordered tap-major,
     * {@code W[n, tap * channels + c] = w[n, c, tap]}: the order in which a channels-last map's receptive field is
     * gathered (one contiguous run of channels per tap).
     */
    public static JvmPackedWeights packConv(FloatArray w, int out, int channels, int taps) {
        return pack(w, channels * taps, out, (n, k) -> ((long) n * channels + k % channels) * taps + k / channels);
    }

    /**
     * Panels of a 2x2 transposed convolution's weights {@code w [in, out, 2, 2]} as the matrix
     * {@code W[tap * out + o, c] = w[c, o, tap]}: one GEMM gives an input pixel's four output pixels.
     */
    public static JvmPackedWeights packTransposed2x2(FloatArray w, int in, int out) {
        return pack(w, in, 4 * out, (n, c) -> ((long) c * out + n % out) * 4 + n / out);
    }

    /** Panels of the {@code [out, in]} matrix whose element (n, k) is {@code w[index(n, k)]}. */
    static JvmPackedWeights pack(FloatArray w, int in, int out, Index index) {
        // Every index maps onto [0, in * out) (each layout is a permutation of the matrix), so one check covers them all.
        if ((long) in * out > w.getSize()) {
            throw new IllegalArgumentException("weights of " + w.getSize() + " floats are too few for a [" + out + ", " + in + "] matrix");
        }
        int width = JvmMicroKernel.width();
        int count = (out + width - 1) / width;
        if ((long) count * width * in > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a [" + out + ", " + in + "] weight matrix is too large for the JVM's packed layout");
        }
        float[] panels = new float[heapFor((long) count * width * in)];
        for (int n = 0; n < out; n++) {
            int p = n / width;
            int j = n % width;
            for (int k = 0; k < in; k++) {
                panels[(p * in + k) * width + j] = w.get((int) index.of(n, k));
            }
        }
        return new JvmPackedWeights(panels, in, out, width, w);
    }

    /**
     * {@code floats}, once the Java heap has room for them: the packed copies live on the heap, beside the off-heap
     * weights they are packed from, so a model near the heap's size fails here with a line that says what to raise,
     * not with an {@code OutOfMemoryError}.
     */
    private static int heapFor(long floats) {
        Runtime rt = Runtime.getRuntime();
        long need = floats * Float.BYTES;
        if (need > rt.maxMemory() - (rt.totalMemory() - rt.freeMemory())) {
            System.gc();
            long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            if (need > free) {
                throw new IllegalStateException(String.format(java.util.Locale.ROOT,
                        "the JVM backend's packed weights need %.0f MB more Java heap and %.0f MB are free: give it more with "
                                + "VITORNADO_JAVA_OPTS=-Xmx... (or use --backend tornado)", need / 1e6, free / 1e6));
            }
        }
        return (int) floats;
    }

    /** Where element (n, k) of the matrix lies in the weight array: a permutation of {@code [0, in * out)}. */
    interface Index {
        long of(int n, int k);
    }

    /** Number of panels. */
    int count() {
        return panels.length / (width * in);
    }
}
