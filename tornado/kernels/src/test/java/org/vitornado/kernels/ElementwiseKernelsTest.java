package org.vitornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

class ElementwiseKernelsTest {

    @Test
    void addInPlaceAddsEveryElementOnceAndLeavesTheRest() {
        Random r = new Random(11);
        int n = 1037;
        float[] a = KernelHarness.random(r, n + 5, 2);
        float[] b = KernelHarness.random(r, n + 5, 2);
        FloatArray x = FloatArray.fromArray(a);
        FloatArray y = FloatArray.fromArray(b);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, x, y)
                .task("add", ElementwiseKernels::addInPlace, x, y, n).transferToHost(DataTransferMode.EVERY_EXECUTION, x);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < n + 5; i++) {
            double want = i < n ? (double) a[i] + b[i] : a[i];
            assertEquals(want, x.get(i), Math.ulp((float) want), "element " + i);
        }
    }
}
