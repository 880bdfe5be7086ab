package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Activation functions. GELU is the exact erf form that timm and Hugging Face use ({@code nn.GELU()}). */
public final class ActivationKernels {

    private ActivationKernels() {
    }

    /**
     * erf(x) in float32, Abramowitz and Stegun 7.1.26: {@code 1 - (a1 t + a2 t^2 + ... + a5 t^5) e^(-x^2)} with
     * {@code t = 1 / (1 + p |x|)}, odd-extended; absolute error below 1.5e-7 (about 2 ulp of values near 1).
     */
    public static float erf(float x) {
        float ax = TornadoMath.abs(x);
        float t = 1.0f / (1.0f + 0.3275911f * ax);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float y = 1.0f - poly * TornadoMath.exp(-ax * ax);
        return x < 0 ? -y : y;
    }

    /** gelu(x) = x/2 (1 + erf(x / sqrt 2)). */
    public static float gelu(float x) {
        return 0.5f * x * (1.0f + erf(x * 0.70710678118654752f));
    }

    /** x[i] = gelu(x[i]) for i in [0, n). One parallel loop over the elements. */
    public static void geluInPlace(FloatArray x, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            x.set(i, gelu(x.get(i)));
        }
    }
}
