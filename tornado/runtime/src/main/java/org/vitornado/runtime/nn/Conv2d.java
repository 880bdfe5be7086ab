package org.vitornado.runtime.nn;

import org.vitornado.kernels.ConvKernels;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@code nn.Conv2d} with a square kernel: weight {@code [out, in / groups, kernel, kernel]} as PyTorch stores it,
 * bias {@code [out]} (zeros for a conv without one).
 *
 * @param padding PyTorch's symmetric zero padding (ignored when {@code tfSame})
 * @param tfSame  TensorFlow's "SAME" padding, as timm's {@code Conv2dSame} / {@code StdConv2dSame}: output
 *                {@code ceil(size / stride)}, the padding computed from each input size, its odd pixel below and to the right
 */
public record Conv2d(FloatArray weight, FloatArray bias, int in, int out, int kernel, int stride, int padding, int groups, boolean tfSame) {

    public Conv2d {
        if (in < 1 || out < 1 || kernel < 1 || stride < 1 || padding < 0 || groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new IllegalArgumentException("conv " + in + " -> " + out + ", kernel " + kernel + ", stride " + stride + ", padding " + padding
                    + ", groups " + groups + " is not a valid convolution");
        }
    }

    /** PyTorch's convolution: symmetric zero padding. */
    public Conv2d(FloatArray weight, FloatArray bias, int in, int out, int kernel, int stride, int padding, int groups) {
        this(weight, bias, in, out, kernel, stride, padding, groups, false);
    }

    /** A convolution with one group, stride 1 and "same" padding ({@code kernel / 2}). */
    public static Conv2d same(FloatArray weight, FloatArray bias, int in, int out, int kernel) {
        return new Conv2d(weight, bias, in, out, kernel, 1, kernel / 2, 1);
    }

    /** timm's {@code Conv2dSame}: TensorFlow's "SAME" padding, one group. */
    public static Conv2d tfSame(FloatArray weight, FloatArray bias, int in, int out, int kernel, int stride) {
        return new Conv2d(weight, bias, in, out, kernel, stride, 0, 1, true);
    }

    /** The output size along a side of {@code size}: PyTorch's {@code (size + 2 padding - kernel) / stride + 1}, or "SAME"'s {@code ceil(size / stride)}. */
    public int outputSize(int size) {
        return tfSame ? ConvKernels.sameOutputSize(size, stride) : ConvKernels.outputSize(size, kernel, stride, padding);
    }

    /** The zero rows (columns) above (to the left of) a side of {@code size}. */
    public int padBefore(int size) {
        return tfSame ? ConvKernels.samePadBefore(size, kernel, stride) : padding;
    }
}
