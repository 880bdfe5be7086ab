package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * GroupNorm's apply step for the JVM backend only, the maths of {@code GroupNormKernels.groupNorm} and
 * {@code groupNormAddRelu} in the same order of operations: with each channel's group mean {@code m[c]} and scale
 * {@code a[c] = rstd[g(c)] weight[c]} gathered once per work-item, each value is {@code (x - m[c]) a[c] + bias[c]}
 * (then + shortcut, ReLU), a vector of channels per FMA. The portable kernels' one work-item per value costs more in
 * JVM dispatch than the arithmetic (they were two thirds of the hybrid ViT-B/384's time).
 *
 * <p>The statistics ({@link #groupStats}) sum a map row of each channel in a vector at a time, then add the rows in
 * float64; a work-item covers a run of whole groups of one image.
 *
 * <p>Grids 1D, local 1: apply, x = block of {@value #PIXELS} pixels of one image (all channels); statistics, x = image
 * x run of groups ({@link #statsGrid}).
 */
public final class JvmGroupNormKernels {

    static final int PIXELS = 64;

    /** Per thread: the per-channel group mean (slot 0), scale (slot 1) and bias (slot 2); a map row's sums (slot 3). */
    private static final JvmScratch SCRATCH = new JvmScratch(4);

    private JvmGroupNormKernels() {
    }

    /** Blocks of {@value #PIXELS} pixels, none straddling two images. */
    public static WorkerGrid grid(int batch, int pixels) {
        return Grids.grid1D(batch * blocks(pixels), 1);
    }

    private static int blocks(int pixels) {
        return (pixels + PIXELS - 1) / PIXELS;
    }

    /** Runs of groups per image: up to 8 work-items per image, each a whole number of groups. */
    static int runs(int groups) {
        int runs = Math.min(groups, 8);
        while (groups % runs != 0) {
            runs--;
        }
        return runs;
    }

    public static WorkerGrid statsGrid(int batch, int groups) {
        return Grids.grid1D(batch * runs(groups), 1);
    }

    /** Same arguments and result as {@code GroupNormKernels.groupStats}, for this work-item's image and run of groups. */
    public static void groupStats(KernelContext ctx, FloatArray x, FloatArray stats, int batch, int height, int width, int channels, int groups,
            float eps) {
        int runs = runs(groups);
        int b = ctx.globalIdx / runs;
        int run = ctx.globalIdx - b * runs;
        int per = channels / groups;
        int g0 = run * (groups / runs);
        int g1 = g0 + groups / runs;
        int c0 = g0 * per;
        int n = (g1 - g0) * per;
        MemorySegment xs = x.getSegment();
        float[] rowSum = SCRATCH.get(3, n);
        float[] mean = SCRATCH.get(0, n);
        double[] total = new double[n];
        double count = (double) height * width * per;
        for (int pass = 0; pass < 2; pass++) {
            java.util.Arrays.fill(total, 0);
            for (int y = 0; y < height; y++) {
                java.util.Arrays.fill(rowSum, 0, n, 0f);
                for (int px = 0; px < width; px++) {
                    long row = ((long) (b * height + y) * width + px) * channels + c0;
                    accumulate(xs, row, rowSum, mean, n, pass == 1);
                }
                for (int c = 0; c < n; c++) {
                    total[c] += rowSum[c];
                }
            }
            for (int g = 0; g < g1 - g0; g++) {
                double sum = 0;
                for (int c = g * per; c < (g + 1) * per; c++) {
                    sum += total[c];
                }
                if (pass == 0) {
                    java.util.Arrays.fill(mean, g * per, (g + 1) * per, (float) (sum / count));
                    stats.set(2 * (b * groups + g0 + g), (float) (sum / count));
                } else {
                    stats.set(2 * (b * groups + g0 + g) + 1, (float) (1 / Math.sqrt(sum / count + eps)));
                }
            }
        }
    }

    /** {@code sums[c] += x[c]} (or {@code (x[c] - mean[c])^2}) for the run of {@code n} channels at float index {@code at}. */
    private static void accumulate(MemorySegment xs, long at, float[] sums, float[] mean, int n, boolean squares) {
        int lanes = JvmVectors.S.length();
        int full = n - n % lanes;
        for (int c = 0; c < full; c += lanes) {
            FloatVector v = FloatVector.fromMemorySegment(JvmVectors.S, xs, (at + c) * Float.BYTES, JvmVectors.ORDER);
            if (squares) {
                v = v.sub(FloatVector.fromArray(JvmVectors.S, mean, c));
                v = v.mul(v);
            }
            v.add(FloatVector.fromArray(JvmVectors.S, sums, c)).intoArray(sums, c);
        }
        for (int c = full; c < n; c++) {
            float v = xs.getAtIndex(ValueLayout.JAVA_FLOAT, at + c);
            if (squares) {
                v = (v - mean[c]) * (v - mean[c]);
            }
            sums[c] += v;
        }
    }

    /** Same arguments as {@code GroupNormKernels.groupNorm}; {@code relu == 1}: then ReLU. */
    public static void groupNorm(KernelContext ctx, FloatArray x, FloatArray stats, FloatArray weight, FloatArray bias, FloatArray out, int batch,
            int pixels, int channels, int groups, int relu) {
        apply(ctx.globalIdx, x, stats, weight, bias, null, out, pixels, channels, groups, relu == 1);
    }

    /** Same arguments as {@code GroupNormKernels.groupNormAddRelu}: + shortcut, then ReLU. */
    public static void groupNormAddRelu(KernelContext ctx, FloatArray x, FloatArray stats, FloatArray weight, FloatArray bias, FloatArray shortcut,
            FloatArray out, int batch, int pixels, int channels, int groups) {
        apply(ctx.globalIdx, x, stats, weight, bias, shortcut, out, pixels, channels, groups, true);
    }

    private static void apply(int block, FloatArray x, FloatArray stats, FloatArray weight, FloatArray bias, FloatArray shortcut, FloatArray out,
            int pixels, int channels, int groups, boolean relu) {
        int b = block / blocks(pixels);
        int p0 = (block - b * blocks(pixels)) * PIXELS;
        int p1 = Math.min(p0 + PIXELS, pixels);
        int per = channels / groups;
        float[] m = SCRATCH.get(0, channels);
        float[] a = SCRATCH.get(1, channels);
        float[] s = SCRATCH.get(2, channels);
        for (int c = 0; c < channels; c++) {
            int g = 2 * (b * groups + c / per);
            m[c] = stats.get(g);
            a[c] = stats.get(g + 1) * weight.get(c);
            s[c] = bias.get(c);
        }
        MemorySegment xs = x.getSegment();
        MemorySegment rs = shortcut == null ? null : shortcut.getSegment();
        MemorySegment os = out.getSegment();
        int lanes = JvmVectors.S.length();
        int full = channels - channels % lanes;
        for (int p = p0; p < p1; p++) {
            long row = ((long) b * pixels + p) * channels;
            for (int c = 0; c < full; c += lanes) {
                long at = (row + c) * Float.BYTES;
                FloatVector y = FloatVector.fromMemorySegment(JvmVectors.S, xs, at, JvmVectors.ORDER).sub(FloatVector.fromArray(JvmVectors.S, m, c))
                        .fma(FloatVector.fromArray(JvmVectors.S, a, c), FloatVector.fromArray(JvmVectors.S, s, c));
                if (rs != null) {
                    y = y.add(FloatVector.fromMemorySegment(JvmVectors.S, rs, at, JvmVectors.ORDER));
                }
                if (relu) {
                    y = y.max(0f);
                }
                y.intoMemorySegment(os, at, JvmVectors.ORDER);
            }
            for (int c = full; c < channels; c++) {
                float y = (xs.getAtIndex(ValueLayout.JAVA_FLOAT, row + c) - m[c]) * a[c] + s[c];
                if (rs != null) {
                    y += rs.getAtIndex(ValueLayout.JAVA_FLOAT, row + c);
                }
                os.setAtIndex(ValueLayout.JAVA_FLOAT, row + c, relu ? Math.max(y, 0f) : y);
            }
        }
    }
}
