package org.vitornado.spark;

import org.vitornado.api.RgbImage;

/** An image of a task's batch: where it came from, the hash of its bytes, and its pixels. */
record DecodedImage(String path, String sha256, RgbImage rgb) {
}
