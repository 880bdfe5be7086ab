package org.vitornado.tests;

/** The float64 building blocks the reference models share: rows of {@code double}, weights as stored (float32). */
final class ReferenceOps {

    private ReferenceOps() {
    }

    /** y = x W^T + b, W {@code [out, in]}; no bias when {@code bias} is null. */
    static double[][] linear(double[][] x, float[] weight, float[] bias) {
        int in = x[0].length;
        int out = weight.length / in;
        double[][] y = new double[x.length][out];
        for (int r = 0; r < x.length; r++) {
            for (int o = 0; o < out; o++) {
                double acc = bias == null ? 0 : bias[o];
                for (int k = 0; k < in; k++) {
                    acc += weight[o * in + k] * x[r][k];
                }
                y[r][o] = acc;
            }
        }
        return y;
    }

    /** LayerNorm over each row: biased variance, (x - mean) / sqrt(var + eps) * g + b. */
    static double[][] layerNorm(double[][] x, float[] g, float[] b, double eps) {
        double[][] y = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            int n = x[r].length;
            double mean = 0;
            for (double v : x[r]) {
                mean += v / n;
            }
            double var = 0;
            for (double v : x[r]) {
                var += (v - mean) * (v - mean) / n;
            }
            y[r] = new double[n];
            for (int i = 0; i < n; i++) {
                y[r][i] = (x[r][i] - mean) / Math.sqrt(var + eps) * g[i] + b[i];
            }
        }
        return y;
    }
}
