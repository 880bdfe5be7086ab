package org.vitornado.api;

import java.util.List;

/**
 * The objects found in one image, by descending score.
 *
 * @param source  the image's file, or the name it was given
 * @param height  the image's height (boxes and masks are in its pixels)
 * @param width   the image's width
 */
public record Detections(String source, int height, int width, List<DetectedObject> objects) {

    public Detections {
        objects = List.copyOf(objects);
    }
}
