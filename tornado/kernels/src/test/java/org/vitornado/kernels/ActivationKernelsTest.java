package org.vitornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.vitornado.reference.Activations;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** erf, GELU and ReLU against {@link Activations}, in float64. */
class ActivationKernelsTest {

    @Test
    void erfIsAccurateToFloat32() {
        double worst = 0;
        for (int i = -60000; i <= 60000; i++) {
            float x = i / 10000f;
            worst = Math.max(worst, Math.abs(ActivationKernels.erf(x) - Activations.erf(x)));
        }
        assertTrue(worst < 2e-7, "max |erf error| = " + worst);
        assertEquals(0.0f, ActivationKernels.erf(0.0f), 1e-7f);
        assertEquals(1.0f, ActivationKernels.erf(10.0f));
        assertEquals(-1.0f, ActivationKernels.erf(-10.0f));
    }

    @Test
    void geluInPlaceMatchesFloat64OverAParallelLoop() {
        Random r = new Random(3);
        int n = 1001;
        float[] v = KernelHarness.random(r, n, 3);
        FloatArray x = FloatArray.fromArray(v);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, x)
                .task("gelu", ActivationKernels::geluInPlace, x, n).transferToHost(DataTransferMode.EVERY_EXECUTION, x);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double want = Activations.gelu(v[i]);
            worst = Math.max(worst, Math.abs(x.get(i) - want) / Math.max(1, Math.abs(want)));
        }
        assertTrue(worst < 1e-6, "gelu error " + worst);
    }

    @Test
    void reluInPlaceClampsNegativesOnly() {
        Random r = new Random(4);
        int n = 517;
        float[] v = KernelHarness.random(r, n + 3, 3);
        FloatArray x = FloatArray.fromArray(v);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, x)
                .task("relu", ActivationKernels::reluInPlace, x, n).transferToHost(DataTransferMode.EVERY_EXECUTION, x);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < n + 3; i++) {
            assertEquals(i < n ? Activations.relu(v[i]) : v[i], x.get(i), "element " + i);
        }
    }

    @Test
    void sigmoidInPlaceMatchesFloat64() {
        Random r = new Random(5);
        int n = 1001;
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * 6);
        }
        FloatArray x = FloatArray.fromArray(a);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, x).task("sigmoid", ActivationKernels::sigmoidInPlace, x, n)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, x);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < n; i++) {
            double want = Activations.sigmoid(a[i]);
            assertEquals(want, x.get(i), 2e-7 + 2e-7 * want, "sigmoid(" + a[i] + ")");
        }
    }
}
