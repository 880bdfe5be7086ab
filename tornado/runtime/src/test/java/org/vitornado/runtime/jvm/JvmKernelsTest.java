package org.vitornado.runtime.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.GraphBuilder;
import org.vitornado.runtime.PlanRunner;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The JVM backend's CPU kernels against the portable kernels TornadoVM gets (themselves tested against float64 in
 * tornado/kernels): the same task built both ways by {@link GraphBuilder}, on shapes that exercise every edge of the
 * blocking (rows and features not multiples of 4 or of the block, lengths not multiples of the vector, head widths
 * below and above a vector).
 */
class JvmKernelsTest {

    /** Runs the task built by {@code add} on fresh copies of {@code inputs}; returns the output's values. */
    static float[] run(boolean cpu, float[][] inputs, int outputSize, float[] outputStart, BiConsumer<GraphBuilder, FloatArray[]> add) {
        FloatArray[] arrays = new FloatArray[inputs.length + 1];
        for (int i = 0; i < inputs.length; i++) {
            arrays[i] = FloatArray.fromArray(inputs[i]);
        }
        arrays[inputs.length] = outputStart != null ? FloatArray.fromArray(outputStart) : new FloatArray(outputSize);
        GridScheduler grids = new GridScheduler();
        GraphBuilder g = new GraphBuilder("t", grids, cpu);
        add.accept(g, arrays);
        g.weights((Object[]) arrays);
        g.outputs(arrays[inputs.length]);
        try (PlanRunner r = new PlanRunner(List.of(g), grids, ExecutionOptions.defaults())) {
            r.run();
        }
        return arrays[inputs.length].toHeapArray();
    }

    static float[] random(Random r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < want.length; i++) {
            diff += (double) (want[i] - got[i]) * (want[i] - got[i]);
            norm += (double) want[i] * want[i];
        }
        double rel = Math.sqrt(diff / Math.max(norm, 1e-30));
        assertTrue(rel < tol, what + ": relative L2 " + rel);
    }

    @ParameterizedTest(name = "rows={0} in={1} out={2}")
    @CsvSource({"1,1,1", "3,5,7", "197,768,2304", "65,17,130", "130,33,64", "7,100,3"})
    void linearVariantsMatchThePortableKernels(int rows, int in, int out) {
        Random r = new Random(rows * 31L + in + out);
        float[] x = random(r, rows * in, 1);
        float[] w = random(r, out * in, 1 / Math.sqrt(in));
        float[] b = random(r, out, 0.2);
        float[] y0 = random(r, rows * out, 1);
        for (String kind : new String[] {"linear", "gelu", "residual"}) {
            BiConsumer<GraphBuilder, FloatArray[]> add = (g, a) -> {
                switch (kind) {
                    case "linear" -> g.linear("k", a[0], a[1], a[2], a[3], rows, in, out);
                    case "gelu" -> g.linearGelu("k", a[0], a[1], a[2], a[3], rows, in, out);
                    default -> g.linearResidual("k", a[0], a[1], a[2], a[3], rows, in, out);
                }
            };
            float[] start = kind.equals("residual") ? y0 : null;
            assertClose(run(false, new float[][] {x, w, b}, rows * out, start, add), run(true, new float[][] {x, w, b}, rows * out, start, add),
                    2e-6, kind);
        }
    }

    @ParameterizedTest(name = "batch={0} q={1} k={2} heads={3} hd={4}")
    @CsvSource({"1,197,197,12,64", "2,5,5,4,100", "2,33,1,1,16", "1,3,70,2,7", "3,17,9,5,50"})
    void attentionMatchesThePortableKernel(int batch, int queries, int keys, int heads, int headDim) {
        Random r = new Random(queries * 7L + keys + headDim);
        int c = heads * headDim;
        if (queries == keys) {
            float[] qkv = random(r, batch * queries * 3 * c, 1);
            BiConsumer<GraphBuilder, FloatArray[]> add = (g, a) -> g.attention("k", a[0], a[1], batch, queries, heads, headDim, 0.3f);
            assertClose(run(false, new float[][] {qkv}, batch * queries * c, null, add), run(true, new float[][] {qkv}, batch * queries * c,
                    null, add), 2e-6, "packed attention");
        }
        float[] q = random(r, batch * queries * (c + 3), 1);
        float[] kv = random(r, batch * keys * (2 * c + 1), 1);
        BiConsumer<GraphBuilder, FloatArray[]> add = (g, a) -> g.attentionSeparate("k", a[0], a[1], a[2], batch, queries, keys, heads, headDim,
                c + 3, 2, 2 * c + 1, 1, c + 1, 0.25f);
        assertClose(run(false, new float[][] {q, kv}, batch * queries * c, null, add), run(true, new float[][] {q, kv}, batch * queries * c,
                null, add), 2e-6, "separate attention");
    }

    @ParameterizedTest(name = "batch={0} {1}x{2} patch={3} embed={4} prefix={5}")
    @CsvSource({"1,224,224,16,768,1", "2,48,80,16,70,0", "1,20,12,4,5,1", "3,9,9,3,130,1"})
    void patchEmbeddingMatchesThePortableKernel(int batch, int h, int w, int patch, int embed, int prefix) {
        Random r = new Random(h * 13L + w + embed);
        int gh = h / patch;
        int gw = w / patch;
        int rows = batch * (prefix + gh * gw);
        float[] image = random(r, batch * 3 * h * w, 1);
        float[] weight = random(r, embed * 3 * patch * patch, 0.1);
        float[] bias = random(r, embed, 0.2);
        float[] cls = random(r, embed, 0.5);
        float[] pos = random(r, gh * gw * embed, 0.5);
        BiConsumer<GraphBuilder, FloatArray[]> add = (g, a) -> g.patchEmbed("k", a[0], a[1], a[2], a[3], a[4], a[5], batch, 3, h, w, patch, embed,
                gh, gw, prefix);
        float[][] in = {image, weight, bias, cls, pos};
        assertClose(run(false, in, rows * embed, null, add), run(true, in, rows * embed, null, add), 2e-6, "patch embedding");
    }

    @ParameterizedTest(name = "batch={0} {1}x{2} window {3}x{4} heads={5} hd={6} relPos={7}")
    @CsvSource({"1,8,8,3,3,4,16,1", "2,5,9,4,4,2,7,1", "1,6,10,6,10,3,20,1", "1,14,14,14,14,12,64,1", "2,7,5,3,3,2,17,0"})
    void windowAttentionMatchesThePortableKernel(int batch, int h, int w, int wh, int ww, int heads, int headDim, int relPos) {
        Random r = new Random(h * 5L + w + wh + headDim);
        int c = heads * headDim;
        float[] qkv = random(r, batch * h * w * 3 * c, 1);
        float[] bias = random(r, 3 * c, 0.5);
        float[] relH = random(r, (2 * wh - 1) * headDim, 0.3);
        float[] relW = random(r, (2 * ww - 1) * headDim, 0.3);
        BiConsumer<GraphBuilder, FloatArray[]> add = (g, a) -> g.windowAttention("k", a[0], a[1], a[2], a[3], a[4], batch, h, w, heads, headDim,
                wh, ww, relPos, (float) (1 / Math.sqrt(headDim)));
        float[][] in = {qkv, bias, relH, relW};
        assertClose(run(false, in, batch * h * w * c, null, add), run(true, in, batch * h * w * c, null, add), 2e-6, "window attention");
    }

    @ParameterizedTest(name = "batch={0} {1}x{2} {3}->{4} k={5} s={6} p={7} groups={8}")
    @CsvSource({"1,9,7,5,6,3,1,1,1", "2,16,16,3,16,7,4,3,1", "1,17,13,8,8,8,8,0,1", "1,6,5,20,9,1,1,0,1", "2,9,11,21,21,3,1,1,21",
            "1,8,8,64,64,3,2,1,64", "1,12,12,33,70,3,1,1,1"})
    void convolutionsMatchThePortableKernel(int batch, int h, int w, int in, int out, int k, int stride, int pad, int groups) {
        Random r = new Random(h * 3L + in + out + k);
        int oh = (h + 2 * pad - k) / stride + 1;
        int ow = (w + 2 * pad - k) / stride + 1;
        float[] x = random(r, batch * h * w * in, 1);
        float[] wt = random(r, out * (in / groups) * k * k, 0.3);
        float[] b = random(r, out, 0.2);
        BiConsumer<GraphBuilder, FloatArray[]> add = (g, a) -> g.conv2d("k", a[0], a[1], a[2], a[3], batch, h, w, in, out, k, stride, pad, groups,
                oh, ow);
        float[][] inputs = {x, wt, b};
        assertClose(run(false, inputs, batch * oh * ow * out, null, add), run(true, inputs, batch * oh * ow * out, null, add), 2e-6,
                "conv");
    }

    @ParameterizedTest(name = "batch={0} {1}x{2} -> {3}x{4} crop {5}x{6} channels={7} align={8} stride={9} offset={10}")
    @CsvSource({"1,4,4,64,64,64,64,5,0,5,0", "2,16,16,64,64,64,64,150,1,150,0", "1,7,3,16,29,16,29,3,0,3,0", "2,5,6,24,30,21,26,17,0,17,0",
            "1,8,8,8,8,8,8,32,0,128,64"})
    void bilinearMatchesThePortableKernel(int batch, int inH, int inW, int fullH, int fullW, int outH, int outW, int channels, int align,
            int stride, int offset) {
        Random r = new Random(inH * 11L + fullW + channels);
        float[] x = random(r, batch * inH * inW * channels, 1);
        BiConsumer<GraphBuilder, FloatArray[]> add = (g, a) -> g.bilinear("k", a[0], a[1], batch, inH, inW, fullH, fullW, outH, outW, channels,
                align == 1, stride, offset);
        float[] start = new float[batch * outH * outW * stride];
        assertClose(run(false, new float[][] {x}, start.length, start, add), run(true, new float[][] {x}, start.length, start, add), 2e-6,
                "bilinear");
    }

    @ParameterizedTest(name = "batch={0} {1}x{2} {3}->{4}")
    @CsvSource({"1,3,5,7,9", "2,8,8,64,32", "1,5,7,130,66", "1,1,1,1,1"})
    void transposedConvolutionMatchesThePortableKernel(int batch, int h, int w, int in, int out) {
        Random r = new Random(h * 17L + in + out);
        float[] x = random(r, batch * h * w * in, 1);
        float[] wt = random(r, in * out * 4, 0.3);
        float[] b = random(r, out, 0.2);
        BiConsumer<GraphBuilder, FloatArray[]> add = (g, a) -> g.convTranspose2x2("k", a[0], a[1], a[2], a[3], batch, h, w, in, out);
        float[][] inputs = {x, wt, b};
        int n = batch * 4 * h * w * out;
        assertClose(run(false, inputs, n, null, add), run(true, inputs, n, null, add), 2e-6, "conv transpose");
    }

    @Test
    void geluTaskMatchesThePortableKernel() {
        Random r = new Random(9);
        int n = 3 * 4096 + 77;
        float[] x = random(r, n, 3);
        BiConsumer<GraphBuilder, FloatArray[]> add = (g, a) -> g.gelu("k", a[0], n);
        // The task works in place on its one array: pass it as the output.
        assertClose(run(false, new float[0][], n, x, add), run(true, new float[0][], n, x, add), 2e-6, "gelu");
    }

    @Test
    void vectorGeluMatchesTheScalarOne() {
        float[] x = new float[4001];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i - 2000) / 250f;
        }
        FloatArray a = FloatArray.fromArray(x);
        JvmGelu.apply(a.getSegment(), 0, x.length);
        for (int i = 0; i < x.length; i++) {
            float want = org.vitornado.kernels.ActivationKernels.gelu(x[i]);
            assertEquals(want, a.get(i), 2e-6f * Math.max(1, Math.abs(want)), "gelu(" + x[i] + ")");
        }
    }

    @Test
    void thePeakMeasurementIsPositiveAndFinite() {
        double peak = JvmPeak.gflops(1);
        assertTrue(peak > 0 && Double.isFinite(peak), "peak " + peak);
    }
}
