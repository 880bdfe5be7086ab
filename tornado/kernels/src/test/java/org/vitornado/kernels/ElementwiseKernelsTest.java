package org.vitornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.vitornado.reference.Elementwise;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Element-wise kernels against {@link Elementwise}. */
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
        double[] want = Elementwise.addInPlace(a, b, n);
        for (int i = 0; i < n + 5; i++) {
            assertEquals(want[i], x.get(i), Math.ulp((float) want[i]), "element " + i);
        }
    }

    /** Broadcast (srcImageRows 0), a token range dropped (class token) and placed after others (concatenation). */
    @org.junit.jupiter.params.ParameterizedTest(name = "batch={0} rows={1} channels={2} src={3}+{4} dst={5}+{6}")
    @org.junit.jupiter.params.provider.CsvSource({"3,5,7,0,0,21,16", "2,16,9,17,1,16,0", "2,16,9,16,0,21,0", "1,1,3,4,3,2,1"})
    void copyRowsPlacesEveryRow(int batch, int rows, int channels, int srcImageRows, int srcStart, int dstImageRows,
            int dstStart) {
        Random r = new Random(rows * 7L + channels);
        int srcRows = srcImageRows == 0 ? rows : batch * srcImageRows;
        float[] src = KernelHarness.random(r, srcRows * channels, 1);
        float[] dst0 = KernelHarness.random(r, batch * dstImageRows * channels, 1);
        double[] want = Elementwise.copyRows(src, dst0, batch, rows, channels, srcImageRows, srcStart, dstImageRows, dstStart);
        FloatArray fs = FloatArray.fromArray(src);
        FloatArray fd = FloatArray.fromArray(dst0);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, fs, fd)
                .task("copy", ElementwiseKernels::copyRows, fs, fd, batch, rows, channels, srcImageRows, srcStart, dstImageRows, dstStart)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, fd);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        // Only the copied rows are defined: TornadoVM does not upload an array a task only writes, so on a device
        // the other rows hold whatever the device buffer held (a graph must write every row it later reads).
        for (int b = 0; b < batch; b++) {
            for (int row = 0; row < rows; row++) {
                for (int c = 0; c < channels; c++) {
                    int i = (b * dstImageRows + dstStart + row) * channels + c;
                    assertEquals(want[i], fd.get(i), 0.0, "value " + i);
                }
            }
        }
    }

    /** {@code out = x + y} into a third array, and {@code x = max(x + y, 0)} in place. */
    @Test
    void addAndAddReluMatchFloat64() {
        Random r = new Random(23);
        int n = 2053;
        float[] a = KernelHarness.random(r, n, 2);
        float[] b = KernelHarness.random(r, n, 2);
        FloatArray x = FloatArray.fromArray(a);
        FloatArray y = FloatArray.fromArray(b);
        FloatArray sum = new FloatArray(n);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, x, y)
                .task("add", ElementwiseKernels::add, x, y, sum, n).task("addRelu", ElementwiseKernels::addReluInPlace, x, y, n)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, sum, x);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        double[] wantSum = Elementwise.add(a, b);
        double[] wantRelu = Elementwise.addRelu(a, b);
        for (int i = 0; i < n; i++) {
            assertEquals(wantSum[i], sum.get(i), Math.ulp((float) wantSum[i]), "sum " + i);
            assertEquals(wantRelu[i], x.get(i), Math.ulp((float) wantRelu[i]), "relu(x + y) " + i);
        }
    }
}
