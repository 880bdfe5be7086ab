package org.vitornado.api;

import java.util.List;

/**
 * The top classes of one image, best first.
 *
 * @param source the image's file, or the name it was given
 * @param top    the best classes, highest probability first (ties: lower index first)
 */
public record Classification(String source, List<Prediction> top) {

    public Classification {
        top = List.copyOf(top);
    }

    /** The best class. */
    public Prediction best() {
        return top.get(0);
    }
}
