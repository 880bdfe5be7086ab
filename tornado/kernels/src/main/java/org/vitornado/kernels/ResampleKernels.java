package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Resizing a channels-last token grid {@code in[(inOffset + iy*inW + ix)*channels + c]} to
 * {@code out[(outOffset + oy*outW + ox)*channels + c]}, exactly as PyTorch's {@code F.interpolate} with
 * {@code align_corners=False} (offsets are in rows, so class-token rows can be skipped). Separable: each output
 * is {@code sum_iy wy(oy, iy) sum_ix wx(ox, ix) in[iy, ix]}; the weights are computed on the fly.
 * <p>Float64 reference: {@link org.vitornado.reference.Resample}.
 */
public final class ResampleKernels {

    private ResampleKernels() {
    }

    /** Grid 2D: x = channel c, y = output position oy*outW + ox. */
    public static WorkerGrid grid(int outH, int outW, int channels) {
        return Grids.grid2D(channels, outH * outW, 32, 1);
    }

    /**
     * Bicubic with antialias (timm {@code resample_abs_pos_embed}): the PIL-style kernel (a = -0.5) stretched by the
     * scale when downsampling and used as is when upsampling, weights normalised to sum 1:
     * {@code center = scale (o + 0.5)}, {@code support = scale >= 1 ? 2 scale : 2}, inputs
     * {@code [(int)(center - support + 0.5), (int)(center + support + 0.5))} clamped to the image.
     */
    public static void bicubicAntialias(KernelContext ctx, FloatArray in, FloatArray out, int inH, int inW, int outH, int outW,
            int channels, int inOffset, int outOffset) {
        int c = ctx.globalIdx;
        int o = ctx.globalIdy;
        if (c >= channels || o >= outH * outW) {
            return;
        }
        int oy = o / outW;
        int ox = o - oy * outW;
        float scaleY = (float) inH / outH;
        float scaleX = (float) inW / outW;
        float supportY = scaleY >= 1.0f ? 2.0f * scaleY : 2.0f;
        float supportX = scaleX >= 1.0f ? 2.0f * scaleX : 2.0f;
        float invY = scaleY >= 1.0f ? 1.0f / scaleY : 1.0f;
        float invX = scaleX >= 1.0f ? 1.0f / scaleX : 1.0f;
        float centerY = scaleY * (oy + 0.5f);
        float centerX = scaleX * (ox + 0.5f);
        int y0 = TornadoMath.max((int) (centerY - supportY + 0.5f), 0);
        int y1 = TornadoMath.min((int) (centerY + supportY + 0.5f), inH);
        int x0 = TornadoMath.max((int) (centerX - supportX + 0.5f), 0);
        int x1 = TornadoMath.min((int) (centerX + supportX + 0.5f), inW);
        float sumY = 0.0f;
        for (int iy = y0; iy < y1; iy++) {
            sumY += cubic((iy - centerY + 0.5f) * invY, -0.5f);
        }
        float sumX = 0.0f;
        for (int ix = x0; ix < x1; ix++) {
            sumX += cubic((ix - centerX + 0.5f) * invX, -0.5f);
        }
        float acc = 0.0f;
        for (int iy = y0; iy < y1; iy++) {
            float wy = cubic((iy - centerY + 0.5f) * invY, -0.5f);
            float rowAcc = 0.0f;
            for (int ix = x0; ix < x1; ix++) {
                rowAcc += cubic((ix - centerX + 0.5f) * invX, -0.5f) * in.get((inOffset + iy * inW + ix) * channels + c);
            }
            acc += wy * rowAcc;
        }
        out.set((outOffset + o) * channels + c, acc / (sumY * sumX));
    }

    /**
     * Plain bicubic (a = -0.75, no antialias; detectron2's and Hugging Face's position-embedding resize):
     * {@code s = scale (o + 0.5) - 0.5}, taps {@code floor(s) - 1 .. floor(s) + 2} clamped to the image.
     */
    public static void bicubic(KernelContext ctx, FloatArray in, FloatArray out, int inH, int inW, int outH, int outW,
            int channels, int inOffset, int outOffset) {
        int c = ctx.globalIdx;
        int o = ctx.globalIdy;
        if (c >= channels || o >= outH * outW) {
            return;
        }
        int oy = o / outW;
        int ox = o - oy * outW;
        float sy = (float) inH / outH * (oy + 0.5f) - 0.5f;
        float sx = (float) inW / outW * (ox + 0.5f) - 0.5f;
        float fy = TornadoMath.floor(sy);
        float fx = TornadoMath.floor(sx);
        float ty = sy - fy;
        float tx = sx - fx;
        float acc = 0.0f;
        for (int dy = -1; dy <= 2; dy++) {
            int iy = TornadoMath.clamp((int) fy + dy, 0, inH - 1);
            float wy = cubic(ty - dy, -0.75f);
            float rowAcc = 0.0f;
            for (int dx = -1; dx <= 2; dx++) {
                int ix = TornadoMath.clamp((int) fx + dx, 0, inW - 1);
                rowAcc += cubic(tx - dx, -0.75f) * in.get((inOffset + iy * inW + ix) * channels + c);
            }
            acc += wy * rowAcc;
        }
        out.set((outOffset + o) * channels + c, acc);
    }

    /** Grid 2D for {@link #bilinear}: x = channel, y = b * outH * outW + output pixel. */
    public static WorkerGrid bilinearGrid(int batch, int outH, int outW, int channels) {
        return Grids.grid2D(channels, batch * outH * outW, 32, 1);
    }

    /**
     * Bilinear resize of channels-last maps, PyTorch's {@code F.interpolate(mode="bilinear", size=(fullH, fullW))}:
     * align_corners=False: {@code s = max((in / full) (o + 0.5) - 0.5, 0)}; True: {@code s = o (in - 1) / (full - 1)};
     * then {@code (1 - l) x[i0] + l x[min(i0 + 1, in - 1)]} with {@code i0 = floor(s)}, {@code l = s - i0}, on both axes.
     * Only the top-left {@code outH x outW} of the full-size result is written (Segmenter's crop after upsampling a
     * padded image; {@code outH = fullH} otherwise), into rows {@code outStride} wide from channel {@code outOffset}
     * (SegFormer's decoder writes its four resized stages side by side, which is the concatenation).
     */
    public static void bilinear(KernelContext ctx, FloatArray in, FloatArray out, int batch, int inH, int inW, int fullH, int fullW,
            int outH, int outW, int channels, int alignCorners, int outStride, int outOffset) {
        int c = ctx.globalIdx;
        int bo = ctx.globalIdy;
        if (c >= channels || bo >= batch * outH * outW) {
            return;
        }
        int b = bo / (outH * outW);
        int o = bo - b * outH * outW;
        int oy = o / outW;
        int ox = o - oy * outW;
        float sy = sourceCoordinate(oy, inH, fullH, alignCorners);
        float sx = sourceCoordinate(ox, inW, fullW, alignCorners);
        int y0 = (int) sy;
        int x0 = (int) sx;
        int y1 = TornadoMath.min(y0 + 1, inH - 1);
        int x1 = TornadoMath.min(x0 + 1, inW - 1);
        float ly = sy - y0;
        float lx = sx - x0;
        int base = b * inH * inW;
        float top = (1.0f - lx) * in.get((base + y0 * inW + x0) * channels + c) + lx * in.get((base + y0 * inW + x1) * channels + c);
        float bottom = (1.0f - lx) * in.get((base + y1 * inW + x0) * channels + c) + lx * in.get((base + y1 * inW + x1) * channels + c);
        out.set((b * outH * outW + o) * outStride + outOffset + c, (1.0f - ly) * top + ly * bottom);
    }

    /** The input coordinate (>= 0) that output index {@code o} of {@code full} samples, as PyTorch computes it. */
    public static float sourceCoordinate(int o, int in, int full, int alignCorners) {
        if (alignCorners == 1) {
            return full > 1 ? o * ((float) (in - 1) / (full - 1)) : 0.0f;
        }
        return TornadoMath.max((float) in / full * (o + 0.5f) - 0.5f, 0.0f);
    }

    /** The cubic convolution kernel with parameter a (Keys): 0 for |x| >= 2. */
    public static float cubic(float x, float a) {
        float ax = TornadoMath.abs(x);
        if (ax < 1.0f) {
            return ((a + 2.0f) * ax - (a + 3.0f)) * ax * ax + 1.0f;
        }
        if (ax < 2.0f) {
            return ((ax - 5.0f) * ax + 8.0f) * ax * a - 4.0f * a;
        }
        return 0.0f;
    }
}
