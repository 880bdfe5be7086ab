package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Online-softmax attention against the textbook form: the full score matrix, softmax, then times V, in float64. */
class AttentionKernelsTest {

    @ParameterizedTest(name = "batch={0} tokens={1} heads={2} headDim={3}")
    @CsvSource({"1,1,1,16", "1,17,3,32", "2,35,4,16", "1,197,2,64", "3,10,5,7"})
    void attentionMatchesFloat64(int batch, int tokens, int heads, int headDim) {
        Random r = new Random(batch * 1000L + tokens * 10L + heads + headDim);
        int c = heads * headDim;
        float[] qkv = random(r, batch * tokens * 3 * c, 2);
        double scale = 1 / Math.sqrt(headDim);
        double[] want = new double[batch * tokens * c];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                double[][] p = new double[tokens][tokens];
                for (int i = 0; i < tokens; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tokens; j++) {
                        double s = 0;
                        for (int d = 0; d < headDim; d++) {
                            s += (double) qkv[(b * tokens + i) * 3 * c + h * headDim + d] * qkv[(b * tokens + j) * 3 * c + c + h * headDim + d];
                        }
                        p[i][j] = s * scale;
                        max = Math.max(max, p[i][j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < tokens; j++) {
                        p[i][j] = Math.exp(p[i][j] - max);
                        sum += p[i][j];
                    }
                    for (int j = 0; j < tokens; j++) {
                        for (int d = 0; d < headDim; d++) {
                            want[(b * tokens + i) * c + h * headDim + d] += p[i][j] / sum * qkv[(b * tokens + j) * 3 * c + 2 * c + h * headDim + d];
                        }
                    }
                }
            }
        }
        FloatArray fqkv = FloatArray.fromArray(qkv);
        FloatArray out = output(batch * tokens * c);
        KernelContext ctx = new KernelContext();
        float s = (float) scale;
        KernelHarness.run(AttentionKernels.grid(batch, tokens, heads), new Object[] {fqkv}, out,
                t -> t.task("t", AttentionKernels::attention, ctx, fqkv, out, batch, tokens, heads, headDim, s));
        assertClose("attention", out, want, 1e-5);
    }
}
