package org.vitornado.model.segmentation;

import org.vitornado.model.plan.ModelPlan;
import org.vitornado.runtime.ExecutionOptions;

/** A segmenter compiled for one (batch, height, width): run it on NCHW pixels, then read its class scores. */
public abstract class SegmentationPlan extends ModelPlan {

    protected SegmentationPlan(String name, ExecutionOptions options, int batch, int channels, int height, int width) {
        super(name, options, batch, channels, height, width);
    }

    /** Class scores at the input resolution, NCHW {@code [batch, classes, height, width]}. */
    public abstract float[] logits();
}
