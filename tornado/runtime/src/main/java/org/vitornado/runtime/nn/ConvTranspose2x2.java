package org.vitornado.runtime.nn;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** {@code nn.ConvTranspose2d(in, out, kernel_size=2, stride=2)}: weight {@code [in, out, 2, 2]}, bias {@code [out]}. */
public record ConvTranspose2x2(FloatArray weight, FloatArray bias, int in, int out) {
}
