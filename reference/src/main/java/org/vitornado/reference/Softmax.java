package org.vitornado.reference;

/** Row-wise softmax, max-subtracted (the result is the same; in float32 the subtraction keeps exp from overflowing). */
public final class Softmax {

    private Softmax() {
    }

    /**
     * {@code y[r, c] = exp(x[r, c] - max_r) / sum_c' exp(x[r, c'] - max_r)}; {@code x [rows, cols]},
     * {@code y [rows, cols]}. Reference for {@code SoftmaxKernels.softmax} and {@code GroupSoftmaxKernels.softmax}.
     */
    public static double[] softmax(float[] x, int rows, int cols) {
        double[] y = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[i * cols + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(x[i * cols + c] - max);
            }
            for (int c = 0; c < cols; c++) {
                y[i * cols + c] = Math.exp(x[i * cols + c] - max) / sum;
            }
        }
        return y;
    }

    /**
     * {@code s[j] = exp(s[j] - max) / sum_j' exp(s[j'] - max)} over one row of attention scores, in place: the
     * softmax every attention reference (these and the model-level ones) takes of its score rows.
     */
    public static void normalize(double[] s) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : s) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int j = 0; j < s.length; j++) {
            s[j] = Math.exp(s[j] - max);
            sum += s[j];
        }
        for (int j = 0; j < s.length; j++) {
            s[j] /= sum;
        }
    }
}
