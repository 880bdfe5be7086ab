package org.vitornado.runtime.nn;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@code nn.LayerNorm} over the last dimension (scale {@code weight}, shift {@code bias}). On channels-last maps it is
 * also detectron2's and timm's channels-first {@code LayerNorm2d}.
 */
public record LayerNorm(FloatArray weight, FloatArray bias, float eps) {
}
