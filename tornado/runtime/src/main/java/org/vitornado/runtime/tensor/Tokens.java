package org.vitornado.runtime.tensor;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Token rows on the device: {@code batch} images of {@code tokens} rows of {@code channels} values, row-major
 * {@code [batch * tokens, channels]}, as a transformer's activations are laid out.
 */
public record Tokens(FloatArray data, int batch, int tokens, int channels) {

    public Tokens {
        Sizes.requireLength("token rows", data, batch, tokens, channels);
    }

    /** New, zeroed rows. */
    public static Tokens allocate(int batch, int tokens, int channels) {
        return new Tokens(new FloatArray(Sizes.elements("tokens", batch, tokens, channels)), batch, tokens, channels);
    }

    /** {@code batch * tokens}. */
    public int rows() {
        return batch * tokens;
    }

    /** The same values seen as {@code [batch, height, width, channels]}, channels-last. */
    public FeatureMap asMap(int height, int width) {
        if ((long) height * width != tokens) {
            throw new IllegalArgumentException(tokens + " tokens are not a " + height + "x" + width + " map");
        }
        return new FeatureMap(data, batch, height, width, channels);
    }
}
