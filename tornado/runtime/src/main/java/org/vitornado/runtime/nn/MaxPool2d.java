package org.vitornado.runtime.nn;

import org.vitornado.kernels.ConvKernels;

/**
 * {@code nn.MaxPool2d} with a square window: PyTorch's symmetric padding (torchvision ResNet's 3x3/2, padding 1), or
 * with {@code tfSame} timm's {@code MaxPool2dSame} (TensorFlow's "SAME": output {@code ceil(size / stride)}, the odd
 * padded row and column below and to the right). Padding is -inf: a padded tap never wins.
 */
public record MaxPool2d(int kernel, int stride, int padding, boolean tfSame) {

    public MaxPool2d {
        if (kernel < 1 || stride < 1 || padding < 0 || 2 * padding > kernel) {
            throw new IllegalArgumentException("max pool " + kernel + "/" + stride + " with padding " + padding + " is not valid");
        }
    }

    /** The output size along a side of {@code size}. */
    public int outputSize(int size) {
        return tfSame ? ConvKernels.sameOutputSize(size, stride) : ConvKernels.outputSize(size, kernel, stride, padding);
    }

    /** The padded rows (columns) above (to the left of) a side of {@code size}. */
    public int padBefore(int size) {
        return tfSame ? ConvKernels.samePadBefore(size, kernel, stride) : padding;
    }
}
