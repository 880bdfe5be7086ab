package org.vitornado.model.segmentation;

import java.util.Map;

import org.vitornado.model.plan.ModelPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.tensor.FeatureMap;

/** A segmenter compiled for one (batch, height, width): run it on NCHW pixels, then read its class scores. */
public abstract class SegmentationPlan extends ModelPlan {

    /** Class scores at the input resolution, {@code [batch, height, width, classes]}: set by the plan's constructor. */
    protected FeatureMap logits;

    protected SegmentationPlan(String name, ExecutionOptions options, int batch, int channels, int height, int width) {
        super(name, options, batch, channels, height, width);
    }

    /** Class scores at the input resolution, NCHW {@code [batch, classes, height, width]}. */
    public final float[] logits() {
        return logits.toNchw();
    }

    /** {@code logits}; a segmenter with intermediate outputs its upstream names adds them. */
    @Override
    public Map<String, float[]> outputs() {
        return Map.of("logits", logits());
    }
}
