package org.vitornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

class ActivationKernelsTest {

    /** erf in float64: Taylor series for |x| < 3, continued fraction beyond (error ~1e-15). */
    static double erf64(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax;
            double sum = ax;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-18; n++) {
                term *= -ax * ax / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            double f = 0;
            for (int n = 60; n >= 1; n--) {
                f = n / 2.0 / (ax + f);
            }
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        }
        return Math.copySign(r, x);
    }

    @Test
    void erfIsAccurateToFloat32() {
        double worst = 0;
        for (int i = -60000; i <= 60000; i++) {
            float x = i / 10000f;
            worst = Math.max(worst, Math.abs(ActivationKernels.erf(x) - erf64(x)));
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
            double want = 0.5 * v[i] * (1 + erf64(v[i] / Math.sqrt(2)));
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
            assertEquals(i < n ? Math.max(v[i], 0f) : v[i], x.get(i), "element " + i);
        }
    }
}
