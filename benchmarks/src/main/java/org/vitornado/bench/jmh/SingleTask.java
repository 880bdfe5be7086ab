package org.vitornado.bench.jmh;

import java.util.Random;
import java.util.function.Function;

import org.vitornado.runtime.CompiledPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * One kernel task as the models run it: planned by {@link PlanBuilder} (so the JVM backend picks its CPU kernel unless
 * {@code cpuKernels} is false), its inputs resident on the device as weights are, its output copied back.
 */
final class SingleTask implements AutoCloseable {

    private final CompiledPlan plan;

    /** {@code addTask} adds the task and returns the array it writes. */
    SingleTask(boolean cpuKernels, Function<PlanBuilder, FloatArray> addTask) {
        PlanBuilder g = new PlanBuilder("bench", ExecutionOptions.defaults(), cpuKernels);
        g.output(addTask.apply(g));
        plan = g.compile();
    }

    void run() {
        plan.run();
    }

    @Override
    public void close() {
        plan.close();
    }

    static FloatArray random(int n, long seed) {
        Random r = new Random(seed);
        FloatArray a = new FloatArray(n);
        for (int i = 0; i < n; i++) {
            a.set(i, (float) r.nextGaussian() * 0.5f);
        }
        return a;
    }

    static Tokens randomRows(int rows, int channels, long seed) {
        return new Tokens(random(rows * channels, seed), 1, rows, channels);
    }
}
