package org.vitornado.reference;

/** Element-by-element operations on whole arrays: a residual add, and copying blocks of rows between token buffers. */
public final class Elementwise {

    private Elementwise() {
    }

    /**
     * {@code x'[i] = x[i] + y[i]} for {@code i < n}, {@code x'[i] = x[i]} beyond (the kernel adds in place into
     * {@code x} and must leave the rest alone); returns {@code x'}, as long as {@code x}. Reference for
     * {@code ElementwiseKernels.addInPlace}.
     */
    public static double[] addInPlace(float[] x, float[] y, int n) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = i < n ? (double) x[i] + y[i] : x[i];
        }
        return out;
    }

    /**
     * {@code dst'} = {@code dst} with, for each image b and row {@code r < rows}, row {@code b * dstImageRows + dstStart + r}
     * replaced by row {@code b * srcImageRows + srcStart + r} of {@code src} (rows {@code channels} wide;
     * {@code srcImageRows = 0} broadcasts one block to every image, otherwise a token range is selected or placed: a
     * class token dropped, token sets concatenated); returns {@code dst'}, as long as {@code dst}. Reference for
     * {@code ElementwiseKernels.copyRows}.
     */
    public static double[] copyRows(float[] src, float[] dst, int batch, int rows, int channels, int srcImageRows, int srcStart, int dstImageRows,
            int dstStart) {
        double[] out = new double[dst.length];
        for (int i = 0; i < dst.length; i++) {
            out[i] = dst[i];
        }
        for (int b = 0; b < batch; b++) {
            for (int row = 0; row < rows; row++) {
                for (int c = 0; c < channels; c++) {
                    out[(b * dstImageRows + dstStart + row) * channels + c] = src[(b * srcImageRows + srcStart + row) * channels + c];
                }
            }
        }
        return out;
    }

    /** {@code x[i] + y[i]}. Reference for {@code ElementwiseKernels.add}. */
    public static double[] add(float[] x, float[] y) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (double) x[i] + y[i];
        }
        return out;
    }

    /** {@code max(x[i] + y[i], 0)}. Reference for {@code ElementwiseKernels.addReluInPlace}. */
    public static double[] addRelu(float[] x, float[] y) {
        double[] out = add(x, y);
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.max(out[i], 0);
        }
        return out;
    }
}
