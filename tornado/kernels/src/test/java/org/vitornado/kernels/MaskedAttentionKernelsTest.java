package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.Attention;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Attention with a key padding mask against {@link Attention#maskedAttention}: q, k and v in three arrays with their
 * own strides and offsets (a slice of a wider projection), image 0 unmasked, the others with their last keys masked,
 * including a single valid key.
 */
class MaskedAttentionKernelsTest {

    @ParameterizedTest(name = "b={0} queries={1} keys={2} heads={3} headDim={4}")
    @CsvSource({"2,10,20,4,8", "3,7,13,2,5", "1,1,1,1,3", "2,33,17,8,32"})
    void matchesFloat64(int batch, int queries, int keys, int heads, int headDim) {
        Random r = new Random(queries * 13L + keys + heads + headDim);
        int c = heads * headDim;
        int qStride = 2 * c + 3;
        int kStride = c + 1;
        int vStride = 3 * c;
        float[] q = random(r, batch * queries * qStride, 1);
        float[] k = random(r, batch * keys * kStride, 1);
        float[] v = random(r, batch * keys * vStride, 1);
        float[] mask = new float[batch * keys];
        for (int b = 1; b < batch; b++) {
            int valid = b == batch - 1 ? 1 : keys / 2 + 1;
            for (int j = valid; j < keys; j++) {
                mask[b * keys + j] = 1;
            }
        }
        double scale = 1 / Math.sqrt(headDim);
        double[] want = Attention.maskedAttention(q, k, v, mask, batch, queries, keys, heads, headDim, qStride, c, kStride, 1, vStride, 2 * c, scale);
        FloatArray fq = FloatArray.fromArray(q);
        FloatArray fk = FloatArray.fromArray(k);
        FloatArray fv = FloatArray.fromArray(v);
        FloatArray fm = FloatArray.fromArray(mask);
        FloatArray out = output(want.length);
        KernelContext ctx = new KernelContext();
        KernelHarness.run(MaskedAttentionKernels.grid(batch, queries, heads), new Object[] {fq, fk, fv, fm}, out,
                g -> g.task("t", MaskedAttentionKernels::attention, ctx, fq, fk, fv, fm, out, batch, queries, keys, heads, headDim, qStride, c, kStride, 1,
                        vStride, 2 * c, (float) scale));
        assertClose("masked attention", out, want, 1e-5);
    }
}
