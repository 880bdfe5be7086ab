package org.vitornado.runtime.jvm;

import java.util.Arrays;

import org.vitornado.kernels.Grids;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The patch embedding for the JVM backend only, the maths of {@code PatchEmbedKernels.patchEmbed} (conv k = stride =
 * patch, + bias + position; class rows get the class token) as the linear layers' GEMM: a work-item gathers the
 * pixels of its {@value #ROW_BLOCK} token rows into patch vectors ([ci][ky][kx], the weight's layout) in a heap array,
 * multiplies them with {@value #PANELS} panels of the packed filters ({@link JvmGemm}), and adds bias and position as
 * it stores them.
 *
 * <p>Grid 2D: x = block of {@value #PANELS} filter panels, y = block of {@value #ROW_BLOCK} token rows over
 * {@code batch * (prefix + gridH * gridW)} rows; local 1 x 1.
 */
public final class JvmPatchEmbedKernels {

    static final int ROW_BLOCK = 8 * JvmMicroKernel.ROWS;
    static final int PANELS = 2;

    /** Per thread: the patch vectors (slot 0) and the block of results (slot 1). */
    private static final JvmScratch SCRATCH = new JvmScratch(2);

    private JvmPatchEmbedKernels() {
    }

    public static WorkerGrid grid(int batch, int tokensPerImage, int embed) {
        int panels = (embed + JvmMicroKernel.width() - 1) / JvmMicroKernel.width();
        return Grids.grid2D((panels + PANELS - 1) / PANELS, (batch * tokensPerImage + ROW_BLOCK - 1) / ROW_BLOCK, 1, 1);
    }

    /** Same arguments as {@code PatchEmbedKernels.patchEmbed}, with the filters packed ({@code [embed, inChans patch^2]}). */
    public static void patchEmbed(KernelContext ctx, FloatArray image, JvmPackedWeights weight, FloatArray bias, FloatArray clsToken,
            FloatArray pos, FloatArray tokens, int batch, int inChans, int height, int width, int patch, int embed, int gridH, int gridW,
            int prefix) {
        int panelWidth = weight.width();
        int p0 = ctx.globalIdx * PANELS;
        int panels = Math.min(PANELS, weight.count() - p0);
        int c0 = p0 * panelWidth;
        int cEnd = Math.min(c0 + panels * panelWidth, embed);
        int row0 = ctx.globalIdy * ROW_BLOCK;
        int perImage = prefix + gridH * gridW;
        int rowEnd = Math.min(row0 + ROW_BLOCK, batch * perImage);
        int k = inChans * patch * patch;
        float[] a = SCRATCH.get(0, ROW_BLOCK * k);
        int[] rows = new int[ROW_BLOCK];
        int[] positions = new int[ROW_BLOCK];
        int n = 0;
        for (int row = row0; row < rowEnd; row++) {
            int b = row / perImage;
            int t = row - b * perImage;
            if (t < prefix) {
                for (int c = c0; c < cEnd; c++) {
                    tokens.set(row * embed + c, clsToken.get(c));
                }
                continue;
            }
            int p = t - prefix;
            int py = p / gridW;
            int px = p - py * gridW;
            for (int ci = 0; ci < inChans; ci++) {
                for (int ky = 0; ky < patch; ky++) {
                    int src = ((b * inChans + ci) * height + py * patch + ky) * width + px * patch;
                    for (int kx = 0; kx < patch; kx++) {
                        a[n * k + (ci * patch + ky) * patch + kx] = image.get(src + kx);
                    }
                }
            }
            rows[n] = row;
            positions[n] = p;
            n++;
        }
        if (n == 0) {
            return;
        }
        int tiles = (n + JvmMicroKernel.ROWS - 1) / JvmMicroKernel.ROWS;
        Arrays.fill(a, n * k, tiles * JvmMicroKernel.ROWS * k, 0f);
        int ldc = panels * panelWidth;
        float[] c = SCRATCH.get(1, tiles * JvmMicroKernel.ROWS * ldc);
        JvmGemm.multiply(a, k, 1, tiles, weight.panels(), k, p0, panels, c, ldc);
        for (int i = 0; i < n; i++) {
            for (int ch = c0; ch < cEnd; ch++) {
                tokens.set(rows[i] * embed + ch, c[i * ldc + ch - c0] + bias.get(ch) + pos.get(positions[i] * embed + ch));
            }
        }
    }
}
