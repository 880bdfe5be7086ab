package org.vitornado.runtime.nn;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A ViT's patch embedding, {@code Conv2d(inChans, embed, kernel=patch, stride=patch)}: weight
 * {@code [embed, inChans, patch, patch]}, bias {@code [embed]}.
 */
public record PatchEmbed(FloatArray weight, FloatArray bias, int inChans, int embed, int patch) {
}
