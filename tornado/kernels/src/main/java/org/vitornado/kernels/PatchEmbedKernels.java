package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Patch embedding: a convolution whose kernel equals its stride (the patch), fused with its bias, the position
 * embedding and the class token, producing the token matrix {@code [batch * T, embed]}, T = prefix + gridH*gridW.
 * The position embedding covers the patch grid only; the class token comes with its own position already added
 * (the plan prepares both once), so every array the kernel reads is written whole by the host or a kernel.
 * <p>Float64 reference: {@link org.vitornado.reference.PatchEmbed}.
 */
public final class PatchEmbedKernels {

    private PatchEmbedKernels() {
    }

    /** Grid 2D: x = embedding channel c, y = token row b*T + t. */
    public static WorkerGrid patchEmbedGrid(int batch, int tokens, int embed) {
        return Grids.grid2D(embed, batch * tokens, 16, 4);
    }

    /**
     * tokens[b*T + prefix + py*gridW + px, c] = bias[c] + pos[py*gridW + px, c]
     *     + sum_{ci, ky, kx} weight[c, ci, ky, kx] * image[b, ci, py*patch + ky, px*patch + kx];
     * tokens[b*T, c] = clsToken[c] when prefix == 1 (class token plus its position embedding).
     * Image rows and columns past gridH*patch, gridW*patch are ignored, as a strided convolution does.
     */
    public static void patchEmbed(KernelContext ctx, FloatArray image, FloatArray weight, FloatArray bias, FloatArray clsToken,
            FloatArray pos, FloatArray tokens, int batch, int inChans, int height, int width, int patch, int embed,
            int gridH, int gridW, int prefix) {
        int c = ctx.globalIdx;
        int row = ctx.globalIdy;
        int perImage = prefix + gridH * gridW;
        if (c >= embed || row >= batch * perImage) {
            return;
        }
        int b = row / perImage;
        int t = row - b * perImage;
        if (t < prefix) {
            tokens.set(row * embed + c, clsToken.get(c));
            return;
        }
        int p = t - prefix;
        int py = p / gridW;
        int px = p - py * gridW;
        float acc = 0.0f;
        for (int ci = 0; ci < inChans; ci++) {
            for (int ky = 0; ky < patch; ky++) {
                int w0 = ((c * inChans + ci) * patch + ky) * patch;
                int i0 = ((b * inChans + ci) * height + py * patch + ky) * width + px * patch;
                acc += LinearKernels.dot(weight, w0, image, i0, patch);
            }
        }
        tokens.set(row * embed + c, acc + bias.get(c) + pos.get(p * embed + c));
    }

    /** Grid 2D: x = embedding channel c, y = token row b*T + t (as {@link #patchEmbedGrid}). */
    public static WorkerGrid embedTokensGrid(int batch, int tokens, int embed) {
        return Grids.grid2D(embed, batch * tokens, 16, 4);
    }

    /**
     * The hybrid ViT's token matrix from its projected feature map ({@code patches [batch * gridTokens, embed]}, the
     * backbone's map through {@code HybridEmbed.proj}, row-major): tokens[b*T + prefix + t, c] = patches[b*gridTokens + t, c]
     * + pos[t, c]; tokens[b*T, c] = clsToken[c] when prefix == 1.
     */
    public static void embedTokens(KernelContext ctx, FloatArray patches, FloatArray clsToken, FloatArray pos, FloatArray tokens, int batch,
            int gridTokens, int embed, int prefix) {
        int c = ctx.globalIdx;
        int row = ctx.globalIdy;
        int perImage = prefix + gridTokens;
        if (c >= embed || row >= batch * perImage) {
            return;
        }
        int b = row / perImage;
        int t = row - b * perImage - prefix;
        float value = clsToken.get(c);
        if (t >= 0) {
            value = patches.get((b * gridTokens + t) * embed + c) + pos.get(t * embed + c);
        }
        tokens.set(row * embed + c, value);
    }

    /**
     * NCHW images to a channels-last map: out[((b*H + y)*W + x)*C + c] = image[((b*C + c)*H + y)*W + x], for a first
     * layer that is a convolution on the map (the hybrid ViT's CNN). One parallel loop over the values.
     */
    public static void channelsLast(FloatArray image, FloatArray out, int batch, int channels, int height, int width) {
        for (@Parallel int i = 0; i < batch * channels * height * width; i++) {
            int c = i % channels;
            int pixel = i / channels;
            int b = pixel / (height * width);
            int yx = pixel - b * height * width;
            out.set(i, image.get((b * channels + c) * height * width + yx));
        }
    }
}
