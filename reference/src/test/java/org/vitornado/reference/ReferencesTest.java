package org.vitornado.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The references checked against known values and against each other, so that a kernel test failing points at the
 * kernel: erf at tabulated points, interpolation matrices whose rows sum to 1 and that are the identity at equal
 * sizes, packed attention as the separate form, a 1x1 convolution as a linear layer, zero deltas as the box itself.
 */
class ReferencesTest {

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Test
    void erfMatchesTabulatedValues() {
        // erf to 16 digits, as Python's math.erf gives it.
        double[][] table = {{0.5, 0.5204998778130465}, {1, 0.8427007929497149}, {2, 0.9953222650189527}, {3.5, 0.9999992569016276},
            {0.01, 0.011283415555849616}};
        for (double[] row : table) {
            assertEquals(row[1], Activations.erf(row[0]), 1e-15, "erf(" + row[0] + ")");
            assertEquals(-row[1], Activations.erf(-row[0]), 1e-15, "erf(-" + row[0] + ")");
        }
        assertEquals(0.0, Activations.erf(0.0));
        assertEquals(1.0, Activations.gelu(1.0) - Activations.gelu(-1.0), 1e-15); // gelu(x) - gelu(-x) = x
    }

    @Test
    void interpolationMatricesAreNormalisedAndExactAtEqualSizes() {
        int[][] sizes = {{4, 7}, {14, 5}, {7, 3}, {1, 5}, {9, 1}, {6, 6}};
        for (int[] s : sizes) {
            for (double[][] m : new double[][][] {Resample.bicubicAntialiasMatrix(s[0], s[1]), Resample.bicubicMatrix(s[0], s[1]),
                Resample.linearMatrix(s[0], s[1], false), Resample.linearMatrix(s[0], s[1], true)}) {
                for (double[] row : m) {
                    double sum = 0;
                    for (double v : row) {
                        sum += v;
                    }
                    assertEquals(1.0, sum, 1e-12, s[0] + " -> " + s[1]);
                }
            }
        }
        for (double[][] m : new double[][][] {Resample.bicubicAntialiasMatrix(6, 6), Resample.bicubicMatrix(6, 6), Resample.linearMatrix(6, 6, false),
            Resample.linearMatrix(6, 6, true)}) {
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 6; j++) {
                    assertEquals(i == j ? 1.0 : 0.0, m[i][j], 1e-12);
                }
            }
        }
    }

    @Test
    void packedAttentionIsTheSeparateFormAndRowsOfSoftmaxSumToOne() {
        Random r = new Random(1);
        int batch = 2;
        int tokens = 5;
        int heads = 3;
        int headDim = 4;
        int c = heads * headDim;
        float[] qkv = random(r, batch * tokens * 3 * c);
        assertArrayEquals(Attention.attentionSeparate(qkv, qkv, batch, tokens, tokens, heads, headDim, 3 * c, 0, 3 * c, c, 2 * c, 0.5),
                Attention.attention(qkv, batch, tokens, heads, headDim, 0.5));
        double[] p = Softmax.softmax(random(r, 3 * 7), 3, 7);
        for (int i = 0; i < 3; i++) {
            double sum = 0;
            for (int j = 0; j < 7; j++) {
                sum += p[i * 7 + j];
            }
            assertEquals(1.0, sum, 1e-12);
        }
    }

    @Test
    void aOneByOneConvolutionIsALinearLayer() {
        Random r = new Random(2);
        int batch = 2;
        int h = 3;
        int w = 5;
        int in = 6;
        int out = 4;
        float[] x = random(r, batch * h * w * in);
        float[] weight = random(r, out * in);
        float[] bias = random(r, out);
        assertArrayEquals(Linear.linear(x, weight, bias, batch * h * w, in, out),
                Convolution.conv2d(x, weight, bias, batch, h, w, in, out, 1, 1, 0, 1), 1e-12);
    }

    @Test
    void zeroDeltasGiveTheBoxBack() {
        float[] box = {3.5f, -2f, 17.25f, 9f};
        double[] got = BoxDecode.applyDeltas(box, 0, new float[4], 0, 10, 10, 5, 5, Math.log(1000.0 / 16));
        assertArrayEquals(new double[] {3.5, -2, 17.25, 9}, got, 1e-12);
    }
}
