package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Activation functions. GELU is the exact erf form that timm and Hugging Face use ({@code nn.GELU()}).
 * <p>Float64 reference: {@link org.vitornado.reference.Activations}.
 */
public final class ActivationKernels {

    private ActivationKernels() {
    }

    /**
     * erf(x) in float32, to about 1e-7 absolute: for |x| < 0.5 its Maclaurin series (terms to x^13), otherwise
     * 1 - erfc(|x|) with the Chebyshev fit of erfc from Numerical Recipes ({@code erfcc}, fractional error below
     * 1.2e-7), odd-extended.
     */
    public static float erf(float x) {
        // Branch-free (both forms evaluated, one selected): divergent branches inside a bounds-guarded kernel
        // were miscompiled by PoCL's OpenCL compiler (padded work-items stored past the guard).
        float ax = TornadoMath.abs(x);
        float x2 = ax * ax;
        // 2/sqrt(pi) * (x - x^3/3 + x^5/10 - x^7/42 + x^9/216 - x^11/1320 + x^13/9360)
        float series = 1.1283791670955126f * ax * (1.0f + x2 * (-0.33333333333f + x2 * (0.1f + x2 * (-0.0238095238f
                + x2 * (0.0046296296f + x2 * (-0.00075757576f + x2 * 0.00010683761f))))));
        float t = 1.0f / (1.0f + 0.5f * ax);
        float erfc = t * TornadoMath.exp(-x2 - 1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f
                + t * (-0.18628806f + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f
                + t * (-0.82215223f + t * 0.17087277f)))))))));
        float y = TornadoMath.min(ax, 0.5f) < 0.5f ? series : 1.0f - erfc;
        return TornadoMath.signum(x) * y;
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

    /** x[i] = max(x[i], 0) for i in [0, n). One parallel loop over the elements. */
    public static void reluInPlace(FloatArray x, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            x.set(i, TornadoMath.max(x.get(i), 0.0f));
        }
    }

    /** x[i] = 1 / (1 + exp(-x[i])) for i in [0, n): DETR's box coordinates. One parallel loop over the elements. */
    public static void sigmoidInPlace(FloatArray x, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            x.set(i, 1.0f / (1.0f + TornadoMath.exp(-x.get(i))));
        }
    }
}
