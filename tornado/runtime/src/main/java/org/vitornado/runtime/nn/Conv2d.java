package org.vitornado.runtime.nn;

import org.vitornado.kernels.ConvKernels;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@code nn.Conv2d} with a square kernel: weight {@code [out, in / groups, kernel, kernel]} as PyTorch stores it,
 * bias {@code [out]} (zeros for a conv without one).
 */
public record Conv2d(FloatArray weight, FloatArray bias, int in, int out, int kernel, int stride, int padding, int groups) {

    public Conv2d {
        if (in < 1 || out < 1 || kernel < 1 || stride < 1 || padding < 0 || groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("conv " + in + " -> " + out + ", kernel " + kernel + ", stride " + stride + ", padding " + padding
                    + ", groups " + groups + " is not a valid convolution");
        }
    }

    /** A convolution with one group, stride 1 and "same" padding ({@code kernel / 2}). */
    public static Conv2d same(FloatArray weight, FloatArray bias, int in, int out, int kernel) {
        return new Conv2d(weight, bias, in, out, kernel, 1, kernel / 2, 1);
    }

    /** PyTorch's output size along a side of {@code size}: {@code (size + 2 padding - kernel) / stride + 1}. */
    public int outputSize(int size) {
        return ConvKernels.outputSize(size, kernel, stride, padding);
    }
}
