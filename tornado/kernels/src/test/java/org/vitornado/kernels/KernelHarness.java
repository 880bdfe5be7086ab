package org.vitornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Consumer;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Runs one kernel the way the models do: a TaskGraph with transfers, a GridScheduler entry and a
 * TornadoExecutionPlan; and compares results with float64 references.
 */
final class KernelHarness {

    private KernelHarness() {
    }

    /**
     * Runs the task added by {@code addTask} (named "t" in graph "g") on {@code grid}. The output goes to the device
     * too, for kernels that read it first (a residual add).
     */
    static void run(WorkerGrid grid, Object[] inputs, FloatArray output, Consumer<TaskGraph> addTask) {
        TaskGraph graph = new TaskGraph("g").transferToDevice(DataTransferMode.FIRST_EXECUTION, inputs)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, output);
        addTask.accept(graph);
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, output);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.withGridScheduler(new GridScheduler("g.t", grid)).execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KernelContext context() {
        return new KernelContext();
    }

    static float[] random(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    /**
     * An output of exactly {@code n} values. A padded grid whose guard is wrong writes past it: on the JVM every
     * array access is bounds-checked, so that fails the task (a device would corrupt memory silently).
     */
    static FloatArray output(int n) {
        return new FloatArray(n);
    }

    /** Relative L2 between {@code got} and {@code want}, which must have the same length. */
    static void assertClose(String what, FloatArray got, double[] want, double tolerance) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < want.length; i++) {
            double d = got.get(i) - want[i];
            diff += d * d;
            norm += want[i] * want[i];
        }
        double rel = Math.sqrt(diff / Math.max(norm, 1e-300));
        assertEquals(want.length, got.getSize(), what + ": output size");
        assertTrue(rel < tolerance, what + ": relative L2 " + rel + " >= " + tolerance);
    }
}
