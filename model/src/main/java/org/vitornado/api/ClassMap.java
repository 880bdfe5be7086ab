package org.vitornado.api;

import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A semantic segmentation: one class index per pixel of the original image.
 *
 * @param source  the image's file, or the name it was given
 * @param height  the image's height
 * @param width   the image's width
 * @param classes class index of each pixel, row-major ({@code classes[y * width + x]})
 * @param labels  class names from the checkpoint's config; empty when it has none
 */
public record ClassMap(String source, int height, int width, int[] classes, Map<Integer, String> labels) {

    public ClassMap {
        if (classes.length != (long) height * width) {
            throw new IllegalArgumentException("classes has " + classes.length + " values for " + height + "x" + width);
        }
        labels = Map.copyOf(labels);
    }

    /** The class at row {@code y}, column {@code x}. */
    public int classAt(int y, int x) {
        return classes[y * width + x];
    }

    /** The classes that occur, in index order. */
    public SortedSet<Integer> present() {
        SortedSet<Integer> out = new TreeSet<>();
        for (int k : classes) {
            out.add(k);
        }
        return out;
    }

    /** The name of class {@code k}, or {@code class k}. */
    public String label(int k) {
        return labels.getOrDefault(k, "class " + k);
    }
}
