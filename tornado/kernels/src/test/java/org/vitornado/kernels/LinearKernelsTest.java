package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task8;
import uk.ac.manchester.tornado.api.types.HalfFloat;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;

/**
 * Both versions of the linear kernels, with float32 and fp16 weights and their three epilogues, against
 * {@link org.vitornado.reference.Linear} (written out in full: this class's own {@code Linear} is a kernel's type).
 */
class LinearKernelsTest {

    /** One version of the linear kernels: its grid and its three epilogues. */
    record Version(String name, GridFor grid, Linear plain, Linear gelu, Linear residual) {
    }

    interface Linear extends Task8<KernelContext, FloatArray, FloatArray, FloatArray, FloatArray, Integer, Integer, Integer> {
    }

    interface GridFor {
        WorkerGrid grid(int rows, int out);
    }

    static final List<Version> VERSIONS = List.of(
            new Version("v1 (LinearKernels)", LinearKernels::grid, LinearKernels::linear, LinearKernels::linearGelu, LinearKernels::linearResidual),
            new Version("v2 (TiledLinearKernels)", TiledLinearKernels::grid, TiledLinearKernels::linear, TiledLinearKernels::linearGelu,
                    TiledLinearKernels::linearResidual));

    interface HalfLinear extends Task8<KernelContext, FloatArray, HalfFloatArray, FloatArray, FloatArray, Integer, Integer, Integer> {
    }

    /** The fp16-weight kernels of each version. */
    record HalfVersion(String name, GridFor grid, HalfLinear plain, HalfLinear gelu, HalfLinear residual) {
    }

    static final List<HalfVersion> HALF_VERSIONS = List.of(
            new HalfVersion("v1 (LinearKernels)", LinearKernels::grid, LinearKernels::linearHalf, LinearKernels::linearGeluHalf,
                    LinearKernels::linearResidualHalf),
            new HalfVersion("v2 (TiledLinearKernels)", TiledLinearKernels::grid, TiledLinearKernels::linearHalf, TiledLinearKernels::linearGeluHalf,
                    TiledLinearKernels::linearResidualHalf));

    /**
     * fp16 weights: the float64 reference takes the same weights rounded to fp16, so the kernels must agree with it as
     * closely as the float32 ones do. JVM only: PoCL, the CPU OpenCL device the real-TornadoVM stage runs on, has no
     * fp16.
     */
    @Tag("jvm")
    @ParameterizedTest(name = "rows={0} in={1} out={2}")
    @CsvSource({"1,1,1", "35,63,17", "65,17,64", "130,80,200"})
    void halfWeightVariantsMatchFloat64(int rows, int in, int out) {
        Random r = new Random(rows * 37L + in * 11L + out);
        float[] x = random(r, rows * in, 1);
        float[] w = random(r, out * in, 1 / Math.sqrt(in));
        float[] b = random(r, out, 0.2);
        float[] residual = random(r, rows * out, 1);
        HalfFloatArray hw = new HalfFloatArray(w.length);
        for (int i = 0; i < w.length; i++) {
            hw.set(i, new HalfFloat(w[i]));
        }
        float[] rounded = new float[w.length]; // the weights the kernels read: rounded to fp16
        for (int i = 0; i < w.length; i++) {
            rounded[i] = hw.get(i).getFloat32();
        }
        double[] plain = org.vitornado.reference.Linear.linear(x, rounded, b, rows, in, out);
        double[] gelu = org.vitornado.reference.Linear.linearGelu(x, rounded, b, rows, in, out);
        double[] res = org.vitornado.reference.Linear.linearResidual(x, rounded, b, residual, rows, in, out);
        FloatArray fx = FloatArray.fromArray(x);
        FloatArray fb = FloatArray.fromArray(b);
        KernelContext ctx = new KernelContext();
        for (HalfVersion v : HALF_VERSIONS) {
            FloatArray y = output(rows * out);
            KernelHarness.run(v.grid().grid(rows, out), new Object[] {fx, hw, fb}, y, g -> g.task("t", v.plain(), ctx, fx, hw, fb, y, rows, in, out));
            assertClose(v.name() + " linearHalf", y, plain, 1e-5);
            FloatArray yg = output(rows * out);
            KernelHarness.run(v.grid().grid(rows, out), new Object[] {fx, hw, fb}, yg, g -> g.task("t", v.gelu(), ctx, fx, hw, fb, yg, rows, in, out));
            assertClose(v.name() + " linearGeluHalf", yg, gelu, 1e-5);
            FloatArray yr = FloatArray.fromArray(residual);
            KernelHarness.run(v.grid().grid(rows, out), new Object[] {fx, hw, fb}, yr, g -> g.task("t", v.residual(), ctx, fx, hw, fb, yr, rows, in, out));
            assertClose(v.name() + " linearResidualHalf", yr, res, 1e-5);
        }
    }

    @ParameterizedTest(name = "rows={0} in={1} out={2}")
    @CsvSource({"1,1,1", "17,96,288", "35,63,17", "197,768,5", "3,5,129", "65,17,64", "130,80,200"})
    void linearVariantsMatchFloat64(int rows, int in, int out) {
        Random r = new Random(rows * 31L + in * 7L + out);
        float[] x = random(r, rows * in, 1);
        float[] w = random(r, out * in, 1 / Math.sqrt(in));
        float[] b = random(r, out, 0.2);
        float[] residual = random(r, rows * out, 1);
        double[] plain = org.vitornado.reference.Linear.linear(x, w, b, rows, in, out);
        double[] gelu = org.vitornado.reference.Linear.linearGelu(x, w, b, rows, in, out);
        double[] res = org.vitornado.reference.Linear.linearResidual(x, w, b, residual, rows, in, out);
        FloatArray fx = FloatArray.fromArray(x);
        FloatArray fw = FloatArray.fromArray(w);
        FloatArray fb = FloatArray.fromArray(b);
        KernelContext ctx = new KernelContext();

        for (Version v : VERSIONS) {
            FloatArray y = output(rows * out);
            KernelHarness.run(v.grid().grid(rows, out), new Object[] {fx, fw, fb}, y, g -> g.task("t", v.plain(), ctx, fx, fw, fb, y, rows, in, out));
            assertClose(v.name() + " linear", y, plain, 1e-5);

            FloatArray yg = output(rows * out);
            KernelHarness.run(v.grid().grid(rows, out), new Object[] {fx, fw, fb}, yg, g -> g.task("t", v.gelu(), ctx, fx, fw, fb, yg, rows, in, out));
            assertClose(v.name() + " linearGelu", yg, gelu, 1e-5);

            FloatArray yr = output(rows * out);
            for (int i = 0; i < residual.length; i++) {
                yr.set(i, residual[i]);
            }
            KernelHarness.run(v.grid().grid(rows, out), new Object[] {fx, fw, fb}, yr, g -> g.task("t", v.residual(), ctx, fx, fw, fb, yr, rows, in, out));
            assertClose(v.name() + " linearResidual", yr, res, 1e-5);
        }
    }
}
