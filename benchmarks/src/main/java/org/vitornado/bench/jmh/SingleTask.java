package org.vitornado.bench.jmh;

import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.GraphBuilder;
import org.vitornado.runtime.PlanRunner;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * One kernel task as the models run it: built by {@link GraphBuilder} (so the JVM backend picks its CPU kernel unless
 * {@code cpuKernels} is false), every array resident on the device, executed by a {@link PlanRunner}.
 */
final class SingleTask implements AutoCloseable {

    private final PlanRunner runner;

    SingleTask(boolean cpuKernels, Object[] resident, Consumer<GraphBuilder> addTask) {
        GridScheduler grids = new GridScheduler();
        GraphBuilder g = new GraphBuilder("bench", grids, cpuKernels);
        addTask.accept(g);
        g.weights(resident);
        runner = new PlanRunner(List.of(g), grids, ExecutionOptions.defaults());
    }

    void run() {
        runner.run();
    }

    @Override
    public void close() {
        runner.close();
    }

    static FloatArray random(int n, long seed) {
        Random r = new Random(seed);
        FloatArray a = new FloatArray(n);
        for (int i = 0; i < n; i++) {
            a.set(i, (float) r.nextGaussian() * 0.5f);
        }
        return a;
    }
}
