package org.vitornado.runtime.nn;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Attention within {@code windowH x windowW} windows of a token map (a global block: one window of the whole map),
 * as SAM and ViTDet compute it: {@code heads} heads over packed qkv, keys of padded positions from the qkv bias, and
 * decomposed relative position when {@code relPos}: tables {@code relPosH [2 windowH - 1, headDim]} and
 * {@code relPosW [2 windowW - 1, headDim]}.
 */
public record WindowAttention(int heads, int windowH, int windowW, FloatArray qkvBias, FloatArray relPosH, FloatArray relPosW, boolean relPos) {
}
