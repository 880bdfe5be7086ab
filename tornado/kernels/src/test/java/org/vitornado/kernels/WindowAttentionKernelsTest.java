package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.WindowAttention;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Window attention, both versions, against detectron2's recipe in float64 ({@link WindowAttention}: pad the qkv map
 * with the bias, partition into windows, add the decomposed rel-pos terms, softmax, then drop the padded queries).
 */
class WindowAttentionKernelsTest {

    @ParameterizedTest(name = "b={0} {1}x{2} heads={3} hd={4} window={5}x{6} relPos={7}")
    @CsvSource({"1,8,8,2,8,3,3,1", "2,5,7,2,8,3,3,1", "1,5,7,3,4,5,7,1", "1,6,4,1,16,4,4,0", "1,4,9,2,6,2,2,1", "1,16,16,12,64,14,14,1",
            "1,16,16,12,64,16,16,1", "1,8,8,2,64,8,8,0", "1,8,8,2,32,8,8,1", "1,4,4,1,33,4,4,0", "1,1,1,1,64,1,1,0", "1,1,2,1,64,1,2,0",
            "2,9,11,3,40,4,4,1", "1,20,20,2,64,20,20,1", "1,6,37,1,128,6,37,1", "1,35,3,2,16,7,3,1"})
    void windowAttentionMatchesFloat64(int batch, int height, int width, int heads, int headDim, int windowH, int windowW, int relPos) {
        Random r = new Random(batch * 100L + height * 10L + width + windowH);
        int c = heads * headDim;
        float[] qkv = random(r, batch * height * width * 3 * c, 1);
        float[] bias = random(r, 3 * c, 0.5);
        float[] relH = random(r, (2 * windowH - 1) * headDim, 0.25);
        float[] relW = random(r, (2 * windowW - 1) * headDim, 0.25);
        double scale = 1 / Math.sqrt(headDim);
        double[] want = WindowAttention.windowAttention(qkv, bias, relH, relW, batch, height, width, heads, headDim, windowH, windowW, relPos == 1,
                scale);
        FloatArray fqkv = FloatArray.fromArray(qkv);
        FloatArray fbias = FloatArray.fromArray(bias);
        FloatArray frh = FloatArray.fromArray(relH);
        FloatArray frw = FloatArray.fromArray(relW);
        KernelContext ctx = new KernelContext();
        float sc = (float) scale;
        // Version 1 (a work-item per query) and version 2 (32 positions of a window per work-group, keys and values
        // streamed through local memory).
        FloatArray v1 = output(want.length);
        KernelHarness.run(WindowAttentionKernels.grid(batch, height, width, heads), new Object[] {fqkv, fbias, frh, frw}, v1,
                g -> g.task("t", WindowAttentionKernels::windowAttention, ctx, fqkv, fbias, frh, frw, v1,
                        batch, height, width, heads, headDim, windowH, windowW, relPos, sc));
        assertClose("windowAttention v1", v1, want, 1e-5);
        FloatArray v2 = output(want.length);
        KernelHarness.run(FlashWindowAttentionKernels.grid(batch, height, width, heads, windowH, windowW), new Object[] {fqkv, fbias, frh, frw}, v2,
                g -> g.task("t", FlashWindowAttentionKernels::windowAttention, ctx, fqkv, fbias, frh, frw, v2,
                        batch, height, width, heads, headDim, windowH, windowW, relPos, sc));
        assertClose("windowAttention v2", v2, want, 1e-5);
    }
}
