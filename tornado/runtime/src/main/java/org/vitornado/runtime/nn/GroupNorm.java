package org.vitornado.runtime.nn;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** {@code nn.GroupNorm(groups, channels, eps)}, affine: weight and bias {@code [channels]}. */
public record GroupNorm(FloatArray weight, FloatArray bias, int channels, int groups, float eps) {

    public GroupNorm {
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException("GroupNorm: " + channels + " channels do not split into " + groups + " groups");
        }
    }
}
