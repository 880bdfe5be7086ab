package org.vitornado.runtime.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.runtime.CompiledPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.ops.ResampleOps;
import org.vitornado.runtime.nn.ConvTranspose2x2;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.nn.PatchEmbed;
import org.vitornado.runtime.nn.WindowAttention;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.HeadSlice;
import org.vitornado.runtime.tensor.Image;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The JVM backend's CPU kernels against the portable kernels TornadoVM gets (themselves tested against float64 in
 * tornado/kernels): the same task planned both ways by {@link PlanBuilder}, on shapes that exercise every edge of the
 * blocking (rows and features not multiples of 4 or of the block, lengths not multiples of the vector, head widths
 * below and above a vector).
 */
@Tag("jvm")
class JvmKernelsTest {

    /** Plans the tasks {@code build} adds (returning the array to read back), with or without the CPU kernels; runs them once. */
    static float[] run(boolean cpu, Function<PlanBuilder, FloatArray> build) {
        PlanBuilder g = new PlanBuilder("t", ExecutionOptions.defaults(), cpu);
        FloatArray out = build.apply(g);
        g.output(out);
        try (CompiledPlan plan = g.compile()) {
            plan.run();
        }
        return out.toHeapArray();
    }

    static void assertSame(Function<PlanBuilder, FloatArray> build, String what) {
        assertClose(run(false, build), run(true, build), 2e-6, what);
    }

    /** Rows holding {@code values}, written by a task (a plan's arrays are written on the device before they are updated). */
    static Tokens written(PlanBuilder g, String task, float[] values, int batch, int tokens, int channels) {
        Tokens source = new Tokens(FloatArray.fromArray(values), batch, tokens, channels);
        Tokens copy = Tokens.allocate(batch, tokens, channels);
        g.copyRows(task, source, 0, copy, 0, tokens);
        return copy;
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
    @CsvSource({"1,1,1", "3,5,7", "197,768,2304", "65,17,130", "130,33,64", "7,100,3", "300,1030,70", "520,600,200", "13,3072,65"})
    void linearVariantsMatchThePortableKernels(int rows, int in, int out) {
        Random r = new Random(rows * 31L + in + out);
        float[] x = random(r, rows * in, 1);
        float[] w = random(r, out * in, 1 / Math.sqrt(in));
        float[] b = random(r, out, 0.2);
        float[] y0 = random(r, rows * out, 1);
        Linear p = new Linear(FloatArray.fromArray(w), FloatArray.fromArray(b), in, out);
        Tokens xs = new Tokens(FloatArray.fromArray(x), 1, rows, in);
        for (String kind : new String[] {"linear", "gelu", "residual"}) {
            assertSame(g -> {
                Tokens y = kind.equals("residual") ? written(g, "y0", y0, 1, rows, out) : Tokens.allocate(1, rows, out);
                switch (kind) {
                    case "linear" -> g.linear("k", xs, p, y);
                    case "gelu" -> g.linearGelu("k", xs, p, y);
                    default -> g.linearResidual("k", xs, p, y);
                }
                return y.data();
            }, kind);
        }
    }

    @ParameterizedTest(name = "rows={0} cols={1}")
    @CsvSource({"1,1", "17,7", "197,384", "33,100", "5,1030"})
    void layerNormMatchesThePortableKernel(int rows, int cols) {
        Random r = new Random(rows * 13L + cols);
        float[] x = random(r, rows * cols, 3);
        for (int i = 0; i < x.length; i++) {
            x[i] += 5; // an offset, so the mean matters
        }
        LayerNorm p = new LayerNorm(FloatArray.fromArray(random(r, cols, 1)), FloatArray.fromArray(random(r, cols, 0.5)), 1e-6f);
        assertSame(g -> {
            Tokens y = Tokens.allocate(1, rows, cols);
            g.layerNorm("k", new Tokens(FloatArray.fromArray(x), 1, rows, cols), p, y);
            return y.data();
        }, "layer norm");
        assertSame(g -> {
            Tokens y = written(g, "x", x, 1, rows, cols);
            g.layerNorm("k", y, p, y);
            return y.data();
        }, "layer norm in place");
    }

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3}, {4} channels")
    @CsvSource({"14,14,64,64,768", "3,5,7,4,17", "8,8,8,8,16", "5,9,20,3,1"})
    void bicubicGridResizeMatchesThePortableKernel(int inH, int inW, int outH, int outW, int channels) {
        Random r = new Random(inH * 31L + outW + channels);
        float[] grid = random(r, inH * inW * channels, 1);
        assertSame(g -> {
            FeatureMap out = FeatureMap.allocate(1, outH, outW, channels);
            g.resampleGrid("k", new FeatureMap(FloatArray.fromArray(grid), 1, inH, inW, channels), out, ResampleOps.Filter.BICUBIC);
            return out.data();
        }, "bicubic");
    }

    @ParameterizedTest(name = "batch={0} q={1} k={2} heads={3} hd={4}")
    @CsvSource({"1,197,197,12,64", "2,5,5,4,100", "2,33,1,1,16", "1,3,70,2,7", "3,17,9,5,50", "1,400,1100,2,64", "1,200,130,3,130"})
    void attentionMatchesThePortableKernel(int batch, int queries, int keys, int heads, int headDim) {
        Random r = new Random(queries * 7L + keys + headDim);
        int c = heads * headDim;
        if (queries == keys) {
            Tokens qkv = new Tokens(FloatArray.fromArray(random(r, batch * queries * 3 * c, 1)), batch, queries, 3 * c);
            assertSame(g -> {
                Tokens out = Tokens.allocate(batch, queries, c);
                g.attention("k", qkv, heads, out);
                return out.data();
            }, "packed attention");
        }
        Tokens q = new Tokens(FloatArray.fromArray(random(r, batch * queries * (c + 3), 1)), batch, queries, c + 3);
        Tokens kv = new Tokens(FloatArray.fromArray(random(r, batch * keys * (2 * c + 1), 1)), batch, keys, 2 * c + 1);
        assertSame(g -> {
            Tokens out = Tokens.allocate(batch, queries, c);
            g.attention("k", new HeadSlice(q, 2), new HeadSlice(kv, 1), new HeadSlice(kv, c + 1), heads, out);
            return out.data();
        }, "separate attention");
    }

    @ParameterizedTest(name = "batch={0} {1}x{2} patch={3} embed={4} prefix={5}")
    @CsvSource({"1,224,224,16,768,1", "2,48,80,16,70,0", "1,20,12,4,5,1", "3,9,9,3,130,1"})
    void patchEmbeddingMatchesThePortableKernel(int batch, int h, int w, int patch, int embed, int prefix) {
        Random r = new Random(h * 13L + w + embed);
        int gh = h / patch;
        int gw = w / patch;
        float[] pixels = random(r, batch * 3 * h * w, 1);
        PatchEmbed p = new PatchEmbed(FloatArray.fromArray(random(r, embed * 3 * patch * patch, 0.1)), FloatArray.fromArray(random(r, embed, 0.2)),
                3, embed, patch);
        FloatArray cls = FloatArray.fromArray(random(r, embed, 0.5));
        FloatArray pos = FloatArray.fromArray(random(r, gh * gw * embed, 0.5));
        assertSame(g -> {
            Image image = g.image(batch, 3, h, w);
            image.data().getSegment().copyFrom(FloatArray.fromArray(pixels).getSegment());
            Tokens out = Tokens.allocate(batch, prefix + gh * gw, embed);
            g.patchEmbed("k", image, p, cls, pos, out);
            return out.data();
        }, "patch embedding");
    }

    @ParameterizedTest(name = "batch={0} {1}x{2} window {3}x{4} heads={5} hd={6} relPos={7}")
    @CsvSource({"1,8,8,3,3,4,16,1", "2,5,9,4,4,2,7,1", "1,6,10,6,10,3,20,1", "1,14,14,14,14,12,64,1", "2,7,5,3,3,2,17,0", "1,36,34,36,36,2,64,1", "1,30,30,14,14,2,130,1"})
    void windowAttentionMatchesThePortableKernel(int batch, int h, int w, int wh, int ww, int heads, int headDim, int relPos) {
        Random r = new Random(h * 5L + w + wh + headDim);
        int c = heads * headDim;
        FeatureMap qkv = new FeatureMap(FloatArray.fromArray(random(r, batch * h * w * 3 * c, 1)), batch, h, w, 3 * c);
        WindowAttention p = new WindowAttention(heads, wh, ww, FloatArray.fromArray(random(r, 3 * c, 0.5)),
                FloatArray.fromArray(random(r, (2 * wh - 1) * headDim, 0.3)), FloatArray.fromArray(random(r, (2 * ww - 1) * headDim, 0.3)), relPos == 1);
        assertSame(g -> {
            FeatureMap out = FeatureMap.allocate(batch, h, w, c);
            g.windowAttention("k", qkv, p, out);
            return out.data();
        }, "window attention");
    }

    @ParameterizedTest(name = "batch={0} {1}x{2} {3}->{4} k={5} s={6} p={7} groups={8}")
    @CsvSource({"1,9,7,5,6,3,1,1,1", "2,16,16,3,16,7,4,3,1", "1,17,13,8,8,8,8,0,1", "1,6,5,20,9,1,1,0,1", "2,9,11,21,21,3,1,1,21",
            "1,8,8,64,64,3,2,1,64", "1,12,12,33,70,3,1,1,1", "2,13,11,70,200,3,1,1,1", "1,9,10,20,300,1,1,0,1"})
    void convolutionsMatchThePortableKernel(int batch, int h, int w, int in, int out, int k, int stride, int pad, int groups) {
        Random r = new Random(h * 3L + in + out + k);
        int oh = (h + 2 * pad - k) / stride + 1;
        int ow = (w + 2 * pad - k) / stride + 1;
        FeatureMap x = new FeatureMap(FloatArray.fromArray(random(r, batch * h * w * in, 1)), batch, h, w, in);
        Conv2d p = new Conv2d(FloatArray.fromArray(random(r, out * (in / groups) * k * k, 0.3)), FloatArray.fromArray(random(r, out, 0.2)), in, out, k,
                stride, pad, groups);
        assertSame(g -> {
            FeatureMap y = FeatureMap.allocate(batch, oh, ow, out);
            g.conv2d("k", x, p, y);
            return y.data();
        }, "conv");
    }

    /** GroupNorm's apply (plain, +ReLU, + shortcut and ReLU) on channel counts around a vector's width, with a mean far from 0. */
    @ParameterizedTest(name = "batch={0} {1}x{2} c={3} groups={4} mode={5}")
    @CsvSource({"2,9,7,64,32,0", "1,13,5,96,32,1", "2,3,3,24,8,2", "1,17,11,256,32,2", "1,1,1,32,32,1", "2,5,6,21,3,1"})
    void groupNormMatchesThePortableKernel(int batch, int h, int w, int channels, int groups, int mode) {
        Random r = new Random(h * 7L + w + channels + mode);
        float[] values = random(r, batch * h * w * channels, 1);
        for (int i = 0; i < values.length; i++) {
            values[i] += 4f;
        }
        FeatureMap x = new FeatureMap(FloatArray.fromArray(values), batch, h, w, channels);
        FeatureMap shortcut = new FeatureMap(FloatArray.fromArray(random(r, values.length, 1)), batch, h, w, channels);
        org.vitornado.runtime.nn.GroupNorm p = new org.vitornado.runtime.nn.GroupNorm(FloatArray.fromArray(random(r, channels, 0.5)),
                FloatArray.fromArray(random(r, channels, 0.2)), channels, groups, 1e-5f);
        assertSame(g -> {
            FeatureMap y = FeatureMap.allocate(batch, h, w, channels);
            if (mode == 2) {
                g.groupNormAddRelu("k", x, p, shortcut, y);
            } else {
                g.groupNorm("k", x, p, mode == 1, y);
            }
            return y.data();
        }, "GroupNorm mode " + mode);
    }

    /** Max pooling with PyTorch's and TF SAME padding, channel counts around a vector's width; the shortcut add + ReLU. */
    @ParameterizedTest(name = "batch={0} {1}x{2} c={3} k={4} s={5} pad={6} same={7}")
    @CsvSource({"2,9,8,64,3,2,1,0", "1,38,45,20,3,2,0,1", "1,7,7,5,2,2,0,0", "1,16,16,17,1,2,0,0"})
    void maxPoolAndAddReluMatchThePortableKernels(int batch, int h, int w, int c, int k, int stride, int pad, int same) {
        Random r = new Random(h * 5L + w + c + k);
        FeatureMap x = new FeatureMap(FloatArray.fromArray(random(r, batch * h * w * c, 1)), batch, h, w, c);
        org.vitornado.runtime.nn.MaxPool2d p = new org.vitornado.runtime.nn.MaxPool2d(k, stride, pad, same == 1);
        assertSame(g -> {
            FeatureMap y = FeatureMap.allocate(batch, p.outputSize(h), p.outputSize(w), c);
            g.maxPool2d("k", x, p, y);
            return y.data();
        }, "max pool");
        float[] shortcut = random(r, batch * h * w * c, 1);
        assertSame(g -> {
            Tokens sum = written(g, "copy", x.data().toHeapArray(), batch, h * w, c);
            g.addRelu("k", sum.data(), FloatArray.fromArray(shortcut));
            return sum.data();
        }, "add + ReLU");
    }

    /** DETR's sine position embedding on a padded batch (valid regions of several sizes). */
    @ParameterizedTest(name = "batch={0} {1}x{2} half={3}")
    @CsvSource({"2,4,5,16", "3,25,42,128", "1,1,1,4"})
    void sinePositionMatchesThePortableKernel(int batch, int h, int w, int half) {
        float[] mask = new float[batch * h * w];
        for (int b = 0; b < batch; b++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    mask[(b * h + y) * w + x] = y < Math.max(1, h - 2 * b) && x < Math.max(1, w - 3 * b) ? 0 : 1;
                }
            }
        }
        float[] dimT = new float[half];
        for (int i = 0; i < half; i++) {
            dimT[i] = (float) Math.pow(10000, 2.0 * (i / 2) / half);
        }
        assertSame(g -> {
            FeatureMap pos = FeatureMap.allocate(batch, h, w, 2 * half);
            g.sinePosition("k", FloatArray.fromArray(mask), FloatArray.fromArray(dimT), pos, (float) (2 * Math.PI));
            return pos.data();
        }, "sine position");
    }

    /** Masked attention (DETR): q, k, v in three arrays, image 0 unmasked, the others with their last keys masked. */
    @ParameterizedTest(name = "batch={0} queries={1} keys={2} heads={3} headDim={4}")
    @CsvSource({"2,100,1050,8,32", "3,7,13,2,5", "2,1200,1200,8,32", "1,1,1,1,3"})
    void maskedAttentionMatchesThePortableKernel(int batch, int queries, int keys, int heads, int headDim) {
        Random r = new Random(queries * 3L + keys + heads);
        int c = heads * headDim;
        Tokens q = new Tokens(FloatArray.fromArray(random(r, batch * queries * 2 * c, 1)), batch, queries, 2 * c);
        Tokens k = new Tokens(FloatArray.fromArray(random(r, batch * keys * c, 1)), batch, keys, c);
        Tokens v = new Tokens(FloatArray.fromArray(random(r, batch * keys * 3 * c, 1)), batch, keys, 3 * c);
        float[] mask = new float[batch * keys];
        for (int b = 1; b < batch; b++) {
            for (int j = keys / (b + 1) + 1; j < keys; j++) {
                mask[b * keys + j] = 1;
            }
        }
        FloatArray keyMask = FloatArray.fromArray(mask);
        assertSame(g -> {
            Tokens out = Tokens.allocate(batch, queries, c);
            g.maskedAttention("k", new HeadSlice(q, c), new HeadSlice(k, 0), new HeadSlice(v, 2 * c), keyMask, heads, out);
            return out.data();
        }, "masked attention");
    }

    /** TensorFlow "SAME" padding (above and to the left differing on odd sides) and the fused ReLU, dense and depthwise. */
    @ParameterizedTest(name = "batch={0} {1}x{2} {3}->{4} k={5} s={6} groups={7}")
    @CsvSource({"1,9,8,3,16,7,2,1", "2,11,10,20,70,3,2,1", "1,10,13,64,64,1,2,1", "1,7,9,24,24,3,2,24", "1,8,8,9,300,3,1,1"})
    void sameConvolutionsWithReluMatchThePortableKernel(int batch, int h, int w, int in, int out, int k, int stride, int groups) {
        Random r = new Random(h * 5L + w + in + out + k);
        FeatureMap x = new FeatureMap(FloatArray.fromArray(random(r, batch * h * w * in, 1)), batch, h, w, in);
        Conv2d p = new Conv2d(FloatArray.fromArray(random(r, out * (in / groups) * k * k, 0.3)), FloatArray.fromArray(random(r, out, 0.2)), in, out, k,
                stride, 0, groups, true);
        assertSame(g -> {
            FeatureMap y = FeatureMap.allocate(batch, p.outputSize(h), p.outputSize(w), out);
            g.conv2dRelu("k", x, p, y);
            return y.data();
        }, "SAME conv + ReLU");
    }

    @ParameterizedTest(name = "batch={0} {1}x{2} -> {3}x{4} crop {5}x{6} channels={7} align={8} stride={9} offset={10}")
    @CsvSource({"1,4,4,64,64,64,64,5,0,5,0", "2,16,16,64,64,64,64,150,1,150,0", "1,7,3,16,29,16,29,3,0,3,0", "2,5,6,24,30,21,26,17,0,17,0",
            "1,8,8,8,8,8,8,32,0,128,64"})
    void bilinearMatchesThePortableKernel(int batch, int inH, int inW, int fullH, int fullW, int outH, int outW, int channels, int align,
            int stride, int offset) {
        Random r = new Random(inH * 11L + fullW + channels);
        FeatureMap x = new FeatureMap(FloatArray.fromArray(random(r, batch * inH * inW * channels, 1)), batch, inH, inW, channels);
        assertSame(g -> {
            FeatureMap out = FeatureMap.allocate(batch, outH, outW, stride);
            g.bilinear("k", x, fullH, fullW, out, offset, align == 1);
            return out.data();
        }, "bilinear");
    }

    /** Two pyramid levels, ROIs of both (inside, over the edges, tiny, empty), channel counts around a vector's width. */
    @ParameterizedTest(name = "images={0} channels={1} pooled={2}")
    @CsvSource({"2,37,7", "1,256,14", "3,5,2", "1,1,1"})
    void roiAlignMatchesThePortableKernel(int images, int channels, int pooled) {
        Random r = new Random(channels * 7L + pooled);
        FeatureMap p2 = new FeatureMap(FloatArray.fromArray(random(r, images * 24 * 20 * channels, 1)), images, 24, 20, channels);
        FeatureMap p3 = new FeatureMap(FloatArray.fromArray(random(r, images * 12 * 10 * channels, 1)), images, 12, 10, channels);
        int count = 11;
        float[] rois = new float[count * 6];
        for (int i = 0; i < count; i++) {
            float x = r.nextFloat() * 90 - 10;
            float y = r.nextFloat() * 110 - 10;
            rois[i * 6] = i % images;
            rois[i * 6 + 1] = i % 2;
            rois[i * 6 + 2] = x;
            rois[i * 6 + 3] = y;
            rois[i * 6 + 4] = i == 3 ? x : x + r.nextFloat() * 60 + (i == 5 ? -0.0f : 0.3f);
            rois[i * 6 + 5] = y + r.nextFloat() * 50 + 0.2f;
        }
        FloatArray roiRows = FloatArray.fromArray(rois);
        assertSame(g -> {
            g.input(roiRows);
            FeatureMap out = FeatureMap.allocate(count, pooled, pooled, channels);
            g.roiAlign("l0", p2, roiRows, count, 0, 0.25f, pooled, out, false);
            g.roiAlign("l1", p3, roiRows, count, 1, 0.125f, pooled, out, true);
            return out.data();
        }, "roiAlign");
    }

    @ParameterizedTest(name = "batch={0} {1}x{2} {3}->{4}")
    @CsvSource({"1,3,5,7,9", "2,8,8,64,32", "1,5,7,130,66", "1,1,1,1,1", "2,9,7,40,50", "1,4,5,96,200"})
    void transposedConvolutionMatchesThePortableKernel(int batch, int h, int w, int in, int out) {
        Random r = new Random(h * 17L + in + out);
        FeatureMap x = new FeatureMap(FloatArray.fromArray(random(r, batch * h * w * in, 1)), batch, h, w, in);
        ConvTranspose2x2 p = new ConvTranspose2x2(FloatArray.fromArray(random(r, in * out * 4, 0.3)), FloatArray.fromArray(random(r, out, 0.2)), in,
                out);
        assertSame(g -> {
            FeatureMap y = FeatureMap.allocate(batch, 2 * h, 2 * w, out);
            g.convTranspose2x2("k", x, p, y);
            return y.data();
        }, "conv transpose");
    }

    @Test
    void geluTaskMatchesThePortableKernel() {
        Random r = new Random(9);
        int n = 3 * 4096 + 77;
        float[] x = random(r, n, 3);
        assertSame(g -> {
            Tokens y = written(g, "x", x, 1, n, 1);
            g.gelu("k", y.data());
            return y.data();
        }, "gelu");
    }

    @Test
    void reluTaskMatchesThePortableKernel() {
        Random r = new Random(10);
        int n = 2 * 4096 + 21;
        float[] x = random(r, n, 3);
        float[] want = x.clone();
        for (int i = 0; i < n; i++) {
            want[i] = Math.max(want[i], 0f);
        }
        float[] got = run(true, g -> {
            Tokens y = written(g, "x", x, 1, n, 1);
            g.relu("k", y.data());
            return y.data();
        });
        assertTrue(java.util.Arrays.equals(want, got), "relu is exact");
        assertSame(g -> {
            Tokens y = written(g, "x", x, 1, n, 1);
            g.relu("k", y.data());
            return y.data();
        }, "relu against the portable kernel");
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
