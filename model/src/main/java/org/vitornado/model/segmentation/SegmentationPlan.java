package org.vitornado.model.segmentation;

import java.util.List;
import java.util.Map;

import org.vitornado.runtime.PlannedTask;

/** A segmenter compiled for one (batch, height, width). */
public interface SegmentationPlan extends AutoCloseable {

    int batch();

    int height();

    int width();

    /** Runs on NCHW pixels {@code [batch, channels, height, width]}, already normalised. */
    void run(float[] pixels);

    /** Class scores at the input resolution, NCHW {@code [batch, classes, height, width]}. */
    float[] logits();

    /** Every output the upstream reference names (for {@code verify}), NCHW. */
    Map<String, float[]> outputs();

    List<PlannedTask> tasks();

    /** The task graphs the tasks are split into. */
    List<org.vitornado.runtime.plan.PlannedGraph> graphs();

    /** The runner, for its profile after a run; {@code null} for a plan built for inspection only. */
    org.vitornado.runtime.PlanRunner runner();

    @Override
    void close();
}
