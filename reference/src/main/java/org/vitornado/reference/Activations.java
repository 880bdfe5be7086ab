package org.vitornado.reference;

/**
 * Element-wise activations in float64: the exact (erf) GELU that timm and Hugging Face use ({@code nn.GELU()}), its
 * erf, and ReLU.
 */
public final class Activations {

    private Activations() {
    }

    /**
     * {@code erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt}: the Taylor series
     * {@code 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1))} for {@code |x| < 3}, the continued fraction of
     * {@code erfc} beyond (error about 1e-15). Reference for {@code ActivationKernels.erf}.
     */
    public static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-18; n++) {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int n = 60; n >= 1; n--) {
                f = n / 2.0 / (ax + f);
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return Math.copySign(r, x);
    }

    /**
     * {@code gelu(x) = x/2 (1 + erf(x / sqrt(2)))}. Reference for {@code ActivationKernels.gelu},
     * {@code ActivationKernels.geluInPlace} and the GELU epilogue of the linear kernels (see {@link Linear#linearGelu}).
     */
    public static double gelu(double x) {
        return 0.5 * x * (1 + erf(x / Math.sqrt(2)));
    }

    /** {@code relu(x) = max(x, 0)}. Reference for {@code ActivationKernels.reluInPlace}. */
    public static double relu(double x) {
        return Math.max(x, 0);
    }

    /** {@code 1 / (1 + e^-x)}. Reference for {@code ActivationKernels.sigmoidInPlace}. */
    public static double sigmoid(double x) {
        return 1.0 / (1.0 + Math.exp(-x));
    }
}
