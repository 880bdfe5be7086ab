package org.vitornado.reference;

/** LayerNorm over the last dimension, with PyTorch's semantics: biased variance, eps inside the square root. */
public final class LayerNorm {

    private LayerNorm() {
    }

    /**
     * {@code y[r, c] = (x[r, c] - mean_r) / sqrt(var_r + eps) gamma[c] + beta[c]}, mean and (biased) variance over the
     * row, computed in two passes; {@code x [rows, cols]}, {@code gamma [cols]}, {@code beta [cols]},
     * {@code y [rows, cols]}. Reference for {@code LayerNormKernels.layerNorm} (version 1) and
     * {@code GroupLayerNormKernels.layerNorm} (version 2), out of place and in place.
     */
    public static double[] layerNorm(float[] x, float[] gamma, float[] beta, int rows, int cols, double eps) {
        double[] y = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            double mean = 0;
            for (int c = 0; c < cols; c++) {
                mean += x[i * cols + c];
            }
            mean /= cols;
            double var = 0;
            for (int c = 0; c < cols; c++) {
                var += Math.pow(x[i * cols + c] - mean, 2);
            }
            var /= cols;
            for (int c = 0; c < cols; c++) {
                y[i * cols + c] = (x[i * cols + c] - mean) / Math.sqrt(var + eps) * gamma[c] + beta[c];
            }
        }
        return y;
    }
}
