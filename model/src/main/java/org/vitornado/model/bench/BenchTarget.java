package org.vitornado.model.bench;

import org.vitornado.model.plan.ModelPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.weights.SafetensorsFile;

/**
 * Something {@code bench} can time: a model with its weights, compiled per (batch, height, width).
 *
 * @param describe      one line naming the model
 * @param defaultHeight the input size used when {@code --size} is not given
 * @param checkpoint    the checkpoint its weights are read from, released by {@link #close()}; {@code null} for a preset
 */
public record BenchTarget(String describe, int defaultHeight, int defaultWidth, int inChans, Compiler compiler, SafetensorsFile checkpoint)
        implements AutoCloseable {

    /** How the model is compiled for one input shape. */
    @FunctionalInterface
    public interface Compiler {
        ModelPlan compile(int batch, int height, int width, ExecutionOptions options);
    }

    /** The model compiled for one input shape; {@code run} executes it once on NCHW pixels. */
    public ModelPlan compile(int batch, int height, int width, ExecutionOptions options) {
        return compiler.compile(batch, height, width, options);
    }

    BenchTarget reading(SafetensorsFile file) {
        return new BenchTarget(describe, defaultHeight, defaultWidth, inChans, compiler, file);
    }

    /** Releases the checkpoint, if one was opened. */
    @Override
    public void close() {
        if (checkpoint != null) {
            checkpoint.close();
        }
    }
}
