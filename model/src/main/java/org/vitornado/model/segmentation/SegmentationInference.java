package org.vitornado.model.segmentation;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.ExecutionOptions;

/**
 * Whole-image and sliding-window inference (mmsegmentation's {@code whole} and {@code slide} test modes) over one
 * {@link SegmentationModel}. Plans are compiled once per input size and reused across images.
 */
public final class SegmentationInference implements AutoCloseable {

    private final SegmentationModel model;
    private final Tensors tensors;
    private final ExecutionOptions options;
    private final Map<Long, SegmentationPlan> plans = new HashMap<>();

    public SegmentationInference(SegmentationModel model, Tensors tensors, ExecutionOptions options) {
        this.model = model;
        this.tensors = tensors;
        this.options = options;
    }

    /** One crop of a sliding window: rows {@code [y0, y0 + h)}, columns {@code [x0, x0 + w)}. */
    public record Window(int y0, int x0, int h, int w) {
    }

    /**
     * mmseg's slide grid: {@code grids = max(size - crop + stride - 1, 0) / stride + 1} per axis; window i starts at
     * {@code i * stride}, is clipped to the image and then shifted back so it keeps the crop size when the image
     * allows ({@code y1 = max(min(y0 + crop, H) - crop, 0)}).
     */
    public static List<Window> windows(int height, int width, int cropH, int cropW, int strideH, int strideW) {
        if (cropH < 1 || cropW < 1 || strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("window and stride must be positive");
        }
        int rows = Math.max(height - cropH + strideH - 1, 0) / strideH + 1;
        int cols = Math.max(width - cropW + strideW - 1, 0) / strideW + 1;
        List<Window> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                int y2 = Math.min(r * strideH + cropH, height);
                int x2 = Math.min(c * strideW + cropW, width);
                int y1 = Math.max(y2 - cropH, 0);
                int x1 = Math.max(x2 - cropW, 0);
                out.add(new Window(y1, x1, y2 - y1, x2 - x1));
            }
        }
        return out;
    }

    /** Class scores {@code [classes, height, width]} for one normalised image of that size, run whole. */
    public float[] whole(float[] pixels, int height, int width) {
        SegmentationPlan plan = plan(height, width);
        plan.run(pixels);
        return plan.logits();
    }

    /**
     * Sliding-window class scores {@code [classes, height, width]}: each window runs at the crop size (a window larger
     * than the image is zero-padded, which after normalisation is the mean colour, and its scores cropped), and
     * overlapping scores are averaged.
     */
    public float[] slide(float[] pixels, int height, int width, int cropH, int cropW, int strideH, int strideW) {
        return slide(pixels, height, width, cropH, cropW, strideH, strideW, (done, total) -> { });
    }

    /** {@link #slide}, telling {@code progress} after each window ({@code done} of {@code total}). */
    public float[] slide(float[] pixels, int height, int width, int cropH, int cropW, int strideH, int strideW,
            java.util.function.BiConsumer<Integer, Integer> progress) {
        int n = model.classes();
        int ch = model.inChans();
        float[] sum = new float[n * height * width];
        int[] count = new int[height * width];
        float[] crop = new float[ch * cropH * cropW];
        List<Window> all = windows(height, width, cropH, cropW, strideH, strideW);
        int done = 0;
        for (Window win : all) {
            java.util.Arrays.fill(crop, 0f);
            for (int k = 0; k < ch; k++) {
                for (int y = 0; y < win.h(); y++) {
                    System.arraycopy(pixels, (k * height + win.y0() + y) * width + win.x0(), crop, (k * cropH + y) * cropW, win.w());
                }
            }
            float[] scores = whole(crop, cropH, cropW);
            for (int k = 0; k < n; k++) {
                for (int y = 0; y < win.h(); y++) {
                    for (int x = 0; x < win.w(); x++) {
                        sum[(k * height + win.y0() + y) * width + win.x0() + x] += scores[(k * cropH + y) * cropW + x];
                    }
                }
            }
            for (int y = 0; y < win.h(); y++) {
                for (int x = 0; x < win.w(); x++) {
                    count[(win.y0() + y) * width + win.x0() + x]++;
                }
            }
            progress.accept(++done, all.size());
        }
        for (int k = 0; k < n; k++) {
            for (int i = 0; i < height * width; i++) {
                sum[k * height * width + i] /= count[i];
            }
        }
        return sum;
    }

    /**
     * PyTorch's bilinear resize (align_corners=False) of {@code [channels, inH, inW]} scores to {@code outH x outW},
     * on the host: the last step of whole-image inference, back to the image's own size.
     */
    public static float[] resize(float[] scores, int channels, int inH, int inW, int outH, int outW) {
        if (inH == outH && inW == outW) {
            return scores;
        }
        Taps rows = Taps.of(inH, outH);
        Taps cols = Taps.of(inW, outW);
        float[] out = new float[channels * outH * outW];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                for (int c = 0; c < channels; c++) {
                    out[(c * outH + y) * outW + x] = bilinear(scores, c * inH * inW, inW, rows, y, cols, x);
                }
            }
        }
        return out;
    }

    /**
     * {@code argmax(resize(scores, ...))} without the resized scores: each output pixel's classes are interpolated
     * and compared on the fly, so a large image costs an int per pixel rather than a float per pixel and class (a
     * 5000x5000 photo with ADE20K's 150 classes would need 15 GB). Same values, same ties as the two steps.
     */
    public static int[] resizedArgmax(float[] scores, int classes, int inH, int inW, int outH, int outW) {
        if (inH == outH && inW == outW) {
            return argmax(scores, classes, outH * outW);
        }
        Taps rows = Taps.of(inH, outH);
        Taps cols = Taps.of(inW, outW);
        int[] out = new int[outH * outW];
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int best = 0;
                float max = bilinear(scores, 0, inW, rows, y, cols, x);
                for (int c = 1; c < classes; c++) {
                    float v = bilinear(scores, c * inH * inW, inW, rows, y, cols, x);
                    if (v > max) {
                        max = v;
                        best = c;
                    }
                }
                out[y * outW + x] = best;
            }
        }
        return out;
    }

    /**
     * PyTorch's bilinear source taps along one axis (align_corners=False): output {@code i} reads inputs {@code lo[i]}
     * and {@code hi[i]} with weight {@code frac[i]} on the second.
     */
    private record Taps(int[] lo, int[] hi, float[] frac) {
        static Taps of(int in, int out) {
            Taps t = new Taps(new int[out], new int[out], new float[out]);
            for (int i = 0; i < out; i++) {
                float s = Math.max((float) in / out * (i + 0.5f) - 0.5f, 0f);
                t.lo[i] = (int) s;
                t.hi[i] = Math.min(t.lo[i] + 1, in - 1);
                t.frac[i] = s - t.lo[i];
            }
            return t;
        }
    }

    /** The bilinear value at output ({@code y}, {@code x}) of the plane starting at {@code base}. */
    private static float bilinear(float[] scores, int base, int inW, Taps rows, int y, Taps cols, int x) {
        float lx = cols.frac[x];
        float ly = rows.frac[y];
        float top = (1 - lx) * scores[base + rows.lo[y] * inW + cols.lo[x]] + lx * scores[base + rows.lo[y] * inW + cols.hi[x]];
        float bottom = (1 - lx) * scores[base + rows.hi[y] * inW + cols.lo[x]] + lx * scores[base + rows.hi[y] * inW + cols.hi[x]];
        return (1 - ly) * top + ly * bottom;
    }

    public static int[] argmax(float[] scores, int classes, int pixels) {
        int[] out = new int[pixels];
        for (int i = 0; i < pixels; i++) {
            int best = 0;
            float max = scores[i];
            for (int k = 1; k < classes; k++) {
                float v = scores[k * pixels + i];
                if (v > max) {
                    max = v;
                    best = k;
                }
            }
            out[i] = best;
        }
        return out;
    }

    private SegmentationPlan plan(int height, int width) {
        long key = (long) height << 32 | width;
        SegmentationPlan plan = plans.get(key);
        if (plan == null) {
            plan = model.plan(tensors, 1, height, width, options);
            plans.put(key, plan);
        }
        return plan;
    }

    @Override
    public void close() {
        plans.values().forEach(SegmentationPlan::close);
        plans.clear();
    }
}
