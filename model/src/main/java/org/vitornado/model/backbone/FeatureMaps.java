package org.vitornado.model.backbone;

import java.util.List;
import java.util.Map;

import org.vitornado.runtime.PlanRunner;
import org.vitornado.runtime.PlannedTask;
import org.vitornado.runtime.plan.PlannedGraph;

/** A backbone compiled for one (batch, height, width): run it on NCHW pixels, then read its named feature maps. */
public interface FeatureMaps extends AutoCloseable {

    /** Runs on {@code batch x channels x height x width} pixels. */
    void run(float[] pixels);

    /** Every feature map, NCHW, in the backbone's order. */
    Map<String, float[]> outputs();

    /** {@code [channels, height, width]} of each map. */
    Map<String, int[]> shapes();

    /** The kernel tasks, in order (for {@code plan} and {@code info}). */
    List<PlannedTask> tasks();

    /** The task graphs the tasks are split into. */
    List<PlannedGraph> graphs();

    /** The runner, for its profile after a run; {@code null} for a plan built for inspection only. */
    PlanRunner runner();

    @Override
    void close();
}
