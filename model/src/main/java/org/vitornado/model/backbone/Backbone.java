package org.vitornado.model.backbone;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.ExecutionOptions;

/**
 * A dense-prediction backbone (ViTDet with its feature pyramid, the SAM encoder): a config that builds
 * {@link FeatureMaps} from a checkpoint's tensors.
 */
public interface Backbone {

    /** One line: family and geometry. */
    String describe();

    /** The input size the model was configured for. */
    int imgH();

    int imgW();

    /** Input sizes must be multiples of this (the patch size). */
    int stride();

    int inChans();

    /**
     * The graph for {@code batch} images of {@code height x width}; {@code options == null} builds it for inspection
     * only (no runner), which {@link Tensors#placeholders} allows without weights.
     */
    FeatureMaps plan(Tensors tensors, int batch, int height, int width, ExecutionOptions options);
}
