package org.vitornado.kernels;

import static org.vitornado.kernels.KernelHarness.assertClose;
import static org.vitornado.kernels.KernelHarness.output;
import static org.vitornado.kernels.KernelHarness.random;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Window attention against detectron2's recipe written out in float64: pad the qkv map (padded tokens take the
 * bias), partition into windows, add the decomposed rel-pos terms, softmax, then drop the padded queries.
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
        int padH = (height + windowH - 1) / windowH * windowH;
        int padW = (width + windowW - 1) / windowW * windowW;
        double[] want = new double[batch * height * width * c];
        for (int b = 0; b < batch; b++) {
            // The padded map: real tokens' qkv, else the bias.
            double[][][] map = new double[padH][padW][];
            for (int y = 0; y < padH; y++) {
                for (int x = 0; x < padW; x++) {
                    double[] row = new double[3 * c];
                    for (int i = 0; i < 3 * c; i++) {
                        row[i] = y < height && x < width ? qkv[((b * height + y) * width + x) * 3 * c + i] : bias[i];
                    }
                    map[y][x] = row;
                }
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int oy = y / windowH * windowH;
                    int ox = x / windowW * windowW;
                    for (int h = 0; h < heads; h++) {
                        double[] q = new double[headDim];
                        System.arraycopy(map[y][x], h * headDim, q, 0, headDim);
                        int n = windowH * windowW;
                        double[] s = new double[n];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int kh = 0; kh < windowH; kh++) {
                            for (int kw = 0; kw < windowW; kw++) {
                                double[] key = map[oy + kh][ox + kw];
                                double dot = 0;
                                double rh = 0;
                                double rw = 0;
                                for (int d = 0; d < headDim; d++) {
                                    dot += q[d] * key[c + h * headDim + d];
                                    rh += q[d] * relH[((y - oy) - kh + windowH - 1) * headDim + d];
                                    rw += q[d] * relW[((x - ox) - kw + windowW - 1) * headDim + d];
                                }
                                int j = kh * windowW + kw;
                                s[j] = dot * scale + (relPos == 1 ? rh + rw : 0);
                                max = Math.max(max, s[j]);
                            }
                        }
                        double sum = 0;
                        for (int j = 0; j < n; j++) {
                            s[j] = Math.exp(s[j] - max);
                            sum += s[j];
                        }
                        for (int j = 0; j < n; j++) {
                            double[] value = map[oy + j / windowW][ox + j % windowW];
                            for (int d = 0; d < headDim; d++) {
                                want[((b * height + y) * width + x) * c + h * headDim + d] += s[j] / sum * value[2 * c + h * headDim + d];
                            }
                        }
                    }
                }
            }
        }
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
