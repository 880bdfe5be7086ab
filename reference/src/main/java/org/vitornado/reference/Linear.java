package org.vitornado.reference;

/**
 * Fully connected layers over token rows with PyTorch's weight layout, and their fused epilogues (GELU, residual
 * add). Inputs: {@code x [rows, in]}, {@code weight [out, in]}, {@code bias [out]}; output {@code [rows, out]}. For
 * the fp16-weight kernels ({@code ...Half}), pass the weights already rounded to fp16 (as float32 values): the
 * kernels must then agree with the reference as closely as the float32 ones do.
 */
public final class Linear {

    private Linear() {
    }

    /**
     * {@code y[r, n] = b[n] + sum_k x[r, k] W[n, k]}, {@code x [rows, in]}, {@code weight [out, in]},
     * {@code bias [out]} to {@code y [rows, out]}. Reference for {@code LinearKernels.linear},
     * {@code TiledLinearKernels.linear} and their {@code linearHalf}.
     */
    public static double[] linear(float[] x, float[] weight, float[] bias, int rows, int in, int out) {
        double[] y = new double[rows * out];
        for (int i = 0; i < rows; i++) {
            for (int n = 0; n < out; n++) {
                double acc = bias[n];
                for (int k = 0; k < in; k++) {
                    acc += (double) x[i * in + k] * weight[n * in + k];
                }
                y[i * out + n] = acc;
            }
        }
        return y;
    }

    /**
     * {@code y[r, n] = gelu(b[n] + sum_k x[r, k] W[n, k])} (exact erf GELU, {@link Activations#gelu}), shapes as
     * {@link #linear}. Reference for {@code LinearKernels.linearGelu}, {@code TiledLinearKernels.linearGelu} and their
     * {@code linearGeluHalf}.
     */
    public static double[] linearGelu(float[] x, float[] weight, float[] bias, int rows, int in, int out) {
        double[] y = linear(x, weight, bias, rows, in, out);
        for (int i = 0; i < y.length; i++) {
            y[i] = Activations.gelu(y[i]);
        }
        return y;
    }

    /**
     * {@code y[r, n] = residual[r, n] + b[n] + sum_k x[r, k] W[n, k]}, {@code residual [rows, out]} (the kernels read
     * it from their output, the residual stream, and add in place), other shapes as {@link #linear}. Reference for
     * {@code LinearKernels.linearResidual}, {@code TiledLinearKernels.linearResidual} and their
     * {@code linearResidualHalf}.
     */
    public static double[] linearResidual(float[] x, float[] weight, float[] bias, float[] residual, int rows, int in, int out) {
        double[] y = linear(x, weight, bias, rows, in, out);
        for (int i = 0; i < y.length; i++) {
            y[i] = residual[i] + y[i];
        }
        return y;
    }
}
