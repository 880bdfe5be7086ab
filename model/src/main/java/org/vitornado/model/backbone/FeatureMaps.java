package org.vitornado.model.backbone;

import java.util.Map;

import org.vitornado.model.plan.ModelPlan;
import org.vitornado.runtime.ExecutionOptions;

/** A backbone compiled for one (batch, height, width): run it on NCHW pixels, then read its named feature maps. */
public abstract class FeatureMaps extends ModelPlan {

    protected FeatureMaps(String name, ExecutionOptions options, int batch, int channels, int height, int width) {
        super(name, options, batch, channels, height, width);
    }

    /** Every feature map, NCHW, in the backbone's order. */
    @Override
    public abstract Map<String, float[]> outputs();

    /** {@code [channels, height, width]} of each map. */
    public abstract Map<String, int[]> shapes();
}
