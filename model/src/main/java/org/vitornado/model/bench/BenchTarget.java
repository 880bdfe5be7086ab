package org.vitornado.model.bench;

import org.vitornado.model.plan.ModelPlan;
import org.vitornado.runtime.ExecutionOptions;

/** Something {@code bench} can time: a model with its weights, compiled per (batch, height, width). */
public interface BenchTarget extends AutoCloseable {

    /** One line naming the model. */
    String describe();

    /** The input size used when {@code --size} is not given. */
    int defaultHeight();

    int defaultWidth();

    int inChans();

    /** The model compiled for one input shape; {@code run} executes it once on NCHW pixels. */
    ModelPlan compile(int batch, int height, int width, ExecutionOptions options);

    /** Releases the checkpoint, if one was opened. */
    @Override
    default void close() {
    }
}
