package org.vitornado.runtime.tensor;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Images on the device as PyTorch gives them to a model: NCHW {@code [batch, channels, height, width]}. */
public record Image(FloatArray data, int batch, int channels, int height, int width) {

    public Image {
        Sizes.requireLength("images", data, batch, channels, height, width);
    }
}
