package org.vitornado.runtime.nn;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** {@code nn.Linear}: {@code y = x W^T + b}, weight {@code [out, in]} as PyTorch stores it, bias {@code [out]}. */
public record Linear(FloatArray weight, FloatArray bias, int in, int out) {
}
