package org.vitornado.model.segmentation;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.ExecutionOptions;

/** A semantic segmenter: per-pixel class scores for an image, built into a task graph for one input size. */
public interface SegmentationModel {

    /** One line: family and geometry. */
    String describe();

    int classes();

    /** The size the model was trained at: the default input size, and the crop of sliding-window inference. */
    int imgH();

    int imgW();

    int inChans();

    /** Input sides must be multiples of this; 1 when any size works (the model pads). */
    default int stride() {
        return 1;
    }

    /**
     * The graph for {@code batch} images of {@code height x width}; {@code options == null} builds it for inspection
     * only (for {@code plan}), which {@link Tensors#placeholders} allows without weights.
     */
    SegmentationPlan plan(Tensors tensors, int batch, int height, int width, ExecutionOptions options);
}
