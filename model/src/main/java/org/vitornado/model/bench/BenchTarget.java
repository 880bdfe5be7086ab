package org.vitornado.model.bench;

import java.util.List;

import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlannedTask;

/** Something {@code bench} can time: a model with its weights, compiled per (batch, height, width). */
public interface BenchTarget extends AutoCloseable {

    /** One line naming the model. */
    String describe();

    /** The input size used when {@code --size} is not given. */
    int defaultHeight();

    int defaultWidth();

    int inChans();

    /** The compiled graph; {@link Compiled#run} executes it once on NCHW pixels. */
    Compiled compile(int batch, int height, int width, ExecutionOptions options);

    /** Releases the checkpoint, if one was opened. */
    @Override
    default void close() {
    }

    /** A compiled model: one forward per {@link #run}. */
    interface Compiled extends AutoCloseable {

        void run(float[] pixels);

        List<PlannedTask> tasks();

        /** The runner of the last {@link #run}, for its profile. */
        org.vitornado.runtime.PlanRunner runner();

        @Override
        void close();
    }
}
