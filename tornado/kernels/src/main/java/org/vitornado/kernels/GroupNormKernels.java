package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * GroupNorm on channels-last maps {@code [batch, height, width, channels]} (PyTorch's {@code F.group_norm}: the
 * channels split into {@code groups} runs of {@code channels / groups}; each image's group is normalised over its
 * pixels and channels with the biased variance, eps inside the square root, then a per-channel affine), as timm's
 * {@code GroupNormAct} in the hybrid ViT's ResNetV2: optionally followed by ReLU, or by the block's shortcut add and
 * ReLU. Two kernels: {@link #groupStats} reduces each (image, group) to its mean and 1/std; {@link #groupNorm} and
 * {@link #groupNormAddRelu} apply them to every value.
 * <p>Float64 reference: {@link org.vitornado.reference.GroupNorm}.
 */
public final class GroupNormKernels {

    private GroupNormKernels() {
    }

    /** Grid 1D: x = b * groups + g, one work-item per (image, group). */
    public static WorkerGrid statsGrid(int batch, int groups) {
        return Grids.grid1D(batch * groups, 32);
    }

    /** Grid 2D: x = channel c, y = pixel b * height * width + p. */
    public static WorkerGrid applyGrid(int batch, int pixels, int channels) {
        return Grids.grid2D(channels, batch * pixels, 32, 4);
    }

    /**
     * stats[2 (b G + g)] = mean, stats[2 (b G + g) + 1] = 1 / sqrt(var + eps) of x[b, :, :, g C/G .. (g + 1) C/G),
     * two passes (mean, then squared deviations), each summed a map row at a time so that the float error grows with
     * the row and the column count, not with their product.
     */
    public static void groupStats(KernelContext ctx, FloatArray x, FloatArray stats, int batch, int height, int width, int channels, int groups,
            float eps) {
        int bg = ctx.globalIdx;
        if (bg >= batch * groups) {
            return;
        }
        int b = bg / groups;
        int g = bg - b * groups;
        int per = channels / groups;
        int base = b * height * width * channels + g * per;
        float sum = 0.0f;
        for (int y = 0; y < height; y++) {
            float row = 0.0f;
            for (int p = y * width; p < (y + 1) * width; p++) {
                for (int c = 0; c < per; c++) {
                    row += x.get(base + p * channels + c);
                }
            }
            sum += row;
        }
        float count = (float) height * width * per;
        float mean = sum / count;
        float squares = 0.0f;
        for (int y = 0; y < height; y++) {
            float row = 0.0f;
            for (int p = y * width; p < (y + 1) * width; p++) {
                for (int c = 0; c < per; c++) {
                    float d = x.get(base + p * channels + c) - mean;
                    row += d * d;
                }
            }
            squares += row;
        }
        stats.set(2 * bg, mean);
        stats.set(2 * bg + 1, 1.0f / TornadoMath.sqrt(squares / count + eps));
    }

    /** out[b, p, c] = act((x[b, p, c] - mean[b, g(c)]) rstd[b, g(c)] weight[c] + bias[c]), act = ReLU if {@code relu == 1}; out may be x. */
    public static void groupNorm(KernelContext ctx, FloatArray x, FloatArray stats, FloatArray weight, FloatArray bias, FloatArray out, int batch,
            int pixels, int channels, int groups, int relu) {
        int c = ctx.globalIdx;
        int pixel = ctx.globalIdy;
        if (c >= channels || pixel >= batch * pixels) {
            return;
        }
        int i = pixel * channels + c;
        float y = normalized(x, stats, weight, bias, i, pixel, c, pixels, channels, groups);
        out.set(i, relu == 1 ? TornadoMath.max(y, 0.0f) : y);
    }

    /** out[b, p, c] = relu(groupNorm(x)[b, p, c] + shortcut[b, p, c]): a ResNet block's last norm, its shortcut and ReLU; out may be x. */
    public static void groupNormAddRelu(KernelContext ctx, FloatArray x, FloatArray stats, FloatArray weight, FloatArray bias, FloatArray shortcut,
            FloatArray out, int batch, int pixels, int channels, int groups) {
        int c = ctx.globalIdx;
        int pixel = ctx.globalIdy;
        if (c >= channels || pixel >= batch * pixels) {
            return;
        }
        int i = pixel * channels + c;
        float y = normalized(x, stats, weight, bias, i, pixel, c, pixels, channels, groups);
        out.set(i, TornadoMath.max(y + shortcut.get(i), 0.0f));
    }

    /** (x[i] - mean) rstd weight[c] + bias[c] for value i, channel c of {@code pixel}, with its image and group's statistics. */
    static float normalized(FloatArray x, FloatArray stats, FloatArray weight, FloatArray bias, int i, int pixel, int c, int pixels, int channels,
            int groups) {
        int s = 2 * ((pixel / pixels) * groups + c / (channels / groups));
        return (x.get(i) - stats.get(s)) * stats.get(s + 1) * weight.get(c) + bias.get(c);
    }
}
