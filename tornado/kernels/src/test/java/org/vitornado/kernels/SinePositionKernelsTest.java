package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.SinePosition;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** DETR's sine position embedding against {@link SinePosition} on padded batches (valid regions of several sizes). */
class SinePositionKernelsTest {

    @ParameterizedTest(name = "b={0} {1}x{2} half={3}")
    @CsvSource({"2,4,5,16", "1,7,3,8", "3,25,42,128", "1,1,1,4"})
    void matchesFloat64(int batch, int h, int w, int half) {
        float[] mask = new float[batch * h * w];
        for (int b = 0; b < batch; b++) {
            int validH = Math.max(1, h - b * 2);
            int validW = Math.max(1, w - b * 3);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    mask[(b * h + y) * w + x] = y < validH && x < validW ? 0 : 1;
                }
            }
        }
        double temperature = 10000;
        float scale = (float) (2 * Math.PI);
        float[] dimT = new float[half];
        for (int i = 0; i < half; i++) {
            dimT[i] = (float) Math.pow(temperature, 2.0 * (i / 2) / half);
        }
        double[] want = SinePosition.sinePosition(mask, batch, h, w, half, temperature, 2 * Math.PI);
        FloatArray fm = FloatArray.fromArray(mask);
        FloatArray fd = FloatArray.fromArray(dimT);
        FloatArray out = output(want.length);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(SinePositionKernels.grid(batch, h, w, 2 * half), new Object[] {fm, fd}, out,
                g -> g.task("t", SinePositionKernels::sinePosition, ctx, fm, fd, out, batch, h, w, half, scale));
        assertClose("sine position", out, want, 1e-6);
    }
}
