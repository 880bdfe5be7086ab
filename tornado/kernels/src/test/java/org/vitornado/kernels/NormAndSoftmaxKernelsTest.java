package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.LayerNorm;
import org.vitornado.reference.Softmax;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task5;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task8;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** LayerNorm and softmax rows, both versions, against the float64 references {@link LayerNorm} and {@link Softmax}. */
class NormAndSoftmaxKernelsTest {

    interface LayerNormKernel extends Task8<KernelContext, FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Float> {
    }

    @ParameterizedTest(name = "rows={0} cols={1}")
    @CsvSource({"1,1", "17,96", "33,7", "197,768", "3,300", "2,129"})
    void layerNormMatchesFloat64(int rows, int cols) {
        Random r = new Random(rows + 1000L * cols);
        float[] x = random(r, rows * cols, 3);
        for (int i = 0; i < x.length; i++) {
            x[i] += 5; // a mean offset, as in real activations
        }
        float[] g = random(r, cols, 1);
        float[] b = random(r, cols, 0.2);
        float eps = 1e-6f;
        double[] want = LayerNorm.layerNorm(x, g, b, rows, cols, eps);
        FloatArray fx = FloatArray.fromArray(x);
        FloatArray fg = FloatArray.fromArray(g);
        FloatArray fb = FloatArray.fromArray(b);
        KernelContext ctx = new KernelContext();
        // Version 1 (a work-item per row) and version 2 (a work-group per row, reductions in local memory).
        for (int version = 1; version <= 2; version++) {
            WorkerGrid grid = version == 1 ? LayerNormKernels.grid(rows) : GroupLayerNormKernels.grid(rows);
            LayerNormKernel kernel = version == 1 ? LayerNormKernels::layerNorm : GroupLayerNormKernels::layerNorm;
            FloatArray y = output(rows * cols);
            KernelHarness.run(grid, new Object[] {fx, fg, fb}, y, t -> t.task("t", kernel, ctx, fx, fg, fb, y, rows, cols, eps));
            assertClose("layerNorm v" + version, y, want, 1e-5);

            // In place, as the final norm runs.
            FloatArray inPlace = output(rows * cols);
            for (int i = 0; i < x.length; i++) {
                inPlace.set(i, x[i]);
            }
            KernelHarness.run(grid, new Object[] {fg, fb}, inPlace, t -> t.task("t", kernel, ctx, inPlace, fg, fb, inPlace, rows, cols, eps));
            assertClose("layerNorm v" + version + " in place", inPlace, want, 1e-5);
        }
    }

    interface SoftmaxKernel extends Task5<KernelContext, FloatArray, FloatArray, Integer, Integer> {
    }

    @ParameterizedTest(name = "rows={0} cols={1}")
    @CsvSource({"1,1", "3,10", "37,1000", "5,81", "2,129", "4,128"})
    void softmaxMatchesFloat64(int rows, int cols) {
        Random r = new Random(rows * 7L + cols);
        float[] x = random(r, rows * cols, 20); // large logits: max subtraction matters
        double[] want = Softmax.softmax(x, rows, cols);
        FloatArray fx = FloatArray.fromArray(x);
        KernelContext ctx = new KernelContext();
        // Version 1 (a work-item per row) and version 2 (a work-group per row, reductions in local memory).
        for (int version = 1; version <= 2; version++) {
            WorkerGrid grid = version == 1 ? SoftmaxKernels.grid(rows) : GroupSoftmaxKernels.grid(rows);
            SoftmaxKernel kernel = version == 1 ? SoftmaxKernels::softmax : GroupSoftmaxKernels::softmax;
            FloatArray y = output(rows * cols);
            KernelHarness.run(grid, new Object[] {fx}, y, t -> t.task("t", kernel, ctx, fx, y, rows, cols));
            assertClose("softmax v" + version, y, want, 1e-5);

            FloatArray inPlace = output(rows * cols);
            for (int i = 0; i < x.length; i++) {
                inPlace.set(i, x[i]);
            }
            KernelHarness.run(grid, new Object[] {}, inPlace, t -> t.task("t", kernel, ctx, inPlace, inPlace, rows, cols));
            assertClose("softmax v" + version + " in place", inPlace, want, 1e-5);
        }
    }
}
