package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Window attention with decomposed relative position for the JVM backend only: the maths of
 * {@code WindowAttentionKernels.windowAttention} (windows indexed in place, padded keys and values from the qkv bias,
 * {@code attn = scale q.k + q.Rh[qh - kh + Wh - 1] + q.Rw[qw - kw + Ww - 1]} with the unscaled q, padded queries not
 * computed) as GEMMs: a work-item gathers one window's keys and values for one head into a {@link JvmAttentionBlock}
 * once, then runs its blocks of the window's real positions. A block's softmax adds the
 * rel-pos terms, which
 * come from one more GEMM: {@code T = Q [Rh; Rw]^T}, every query against all {@code 2 Wh - 1 + 2 Ww - 1} rel-pos rows,
 * from which each query picks its {@code Wh + Ww} terms.
 *
 * <p>Grid 2D: x = part of the window's blocks of positions ({@link JvmAttentionKernels#partsPerHead}), y = (b * windows +
 * window) * heads + h; local 1 x 1.
 */
public final class JvmWindowAttentionKernels {

    /** Per thread: the packed rel-pos rows (slot 0), the terms T (1), and the terms by key row (2) and key column (3). */
    private static final JvmScratch SCRATCH = new JvmScratch(4);

    private JvmWindowAttentionKernels() {
    }

    public static WorkerGrid grid(int batch, int height, int width, int heads, int windowH, int windowW) {
        int windows = ((height + windowH - 1) / windowH) * ((width + windowW - 1) / windowW);
        int keys = windowH * windowW;
        return Grids.grid2D(JvmAttentionKernels.partsPerHead(batch * windows * heads, keys, keys), batch * windows * heads, 1, 1);
    }

    /** Same arguments as {@code WindowAttentionKernels.windowAttention}. */
    public static void windowAttention(KernelContext ctx, FloatArray qkv, FloatArray qkvBias, FloatArray relPosH, FloatArray relPosW,
            FloatArray out, int batch, int height, int width, int heads, int headDim, int windowH, int windowW, int relPos, float scale) {
        int windowsX = (width + windowW - 1) / windowW;
        int windows = ((height + windowH - 1) / windowH) * windowsX;
        int id = ctx.globalIdy;
        int h = id % heads;
        int bw = id / heads;
        int b = bw / windows;
        int w = bw - b * windows;
        int originY = (w / windowsX) * windowH;
        int originX = (w % windowsX) * windowW;
        int keys = windowH * windowW;
        int block = JvmAttentionKernels.queryBlock(keys, keys);
        int blocks = (keys + block - 1) / block;
        int parts = JvmAttentionKernels.partsPerHead(batch * windows * heads, keys, keys);
        int firstBlock = blocks * ctx.globalIdx / parts;
        int endBlock = blocks * (ctx.globalIdx + 1) / parts;
        int channels = heads * headDim;
        MemorySegment qs = qkv.getSegment();
        MemorySegment bs = qkvBias.getSegment();
        MemorySegment os = out.getSegment();
        JvmAttentionBlock a = JvmAttentionBlock.of(keys, headDim, block);
        // The window's keys and values, once for all the blocks; positions past the map take the bias rows.
        for (int j = 0; j < keys; j++) {
            int ky = originY + j / windowW;
            int kx = originX + j % windowW;
            boolean real = ky < height && kx < width;
            long row = ((long) b * height * width + (long) ky * width + kx) * 3 * channels;
            long k = channels + (long) h * headDim;
            a.key(j, real ? qs : bs, real ? row + k : k);
            a.value(j, real ? qs : bs, real ? row + k + channels : k + channels);
        }
        float[] relRows = relPos != 0 ? packRelPos(relPosH, relPosW, headDim, windowH, windowW) : null;
        int[] tokens = new int[block];
        int[] local = new int[block];
        for (int blk = firstBlock; blk < endBlock; blk++) {
            // This block's real queries (window positions past the map are the upstream crop: not computed).
            int n = 0;
            for (int t = blk * block; t < Math.min((blk + 1) * block, keys); t++) {
                int y = originY + t / windowW;
                int x = originX + t % windowW;
                if (y < height && x < width) {
                    tokens[n] = b * height * width + y * width + x;
                    local[n] = t;
                    n++;
                }
            }
            if (n == 0) {
                continue;
            }
            a.queries(n);
            for (int i = 0; i < n; i++) {
                a.query(i, qs, (long) tokens[i] * 3 * channels + (long) h * headDim, scale);
            }
            a.scores();
            if (relRows != null) {
                float[] byRow = SCRATCH.get(2, windowH * a.ldQ);
                float[] byColumn = SCRATCH.get(3, windowW * a.ldQ);
                relPosTerms(a, local, n, relRows, windowH, windowW, byRow, byColumn);
                a.softmax(byRow, byColumn, windowW);
            } else {
                a.softmax();
            }
            a.weightedValues();
            for (int i = 0; i < n; i++) {
                a.store(i, os, (long) tokens[i] * channels + (long) h * headDim);
            }
        }
    }

    /**
     * {@code [Rh; Rw]^T} as the B operand of {@link JvmGemm}: {@code rel[(p * headDim + d) * width + r']} is row
     * {@code p * width + r'} of {@code [Rh; Rw]} ({@code 2 Wh - 1 + 2 Ww - 1} rows) at channel d; packed once per
     * work-item, in scratch slot 0.
     */
    private static float[] packRelPos(FloatArray relPosH, FloatArray relPosW, int headDim, int windowH, int windowW) {
        int width = JvmMicroKernel.width();
        int rowsH = 2 * windowH - 1;
        int relRows = rowsH + 2 * windowW - 1;
        int size = relPanels(windowH, windowW) * width * headDim;
        float[] rel = SCRATCH.get(0, size);
        Arrays.fill(rel, 0, size, 0f);
        for (int r = 0; r < relRows; r++) {
            int at = (r / width) * headDim * width + r % width;
            for (int d = 0; d < headDim; d++) {
                rel[at + d * width] = r < rowsH ? relPosH.get(r * headDim + d) : relPosW.get((r - rowsH) * headDim + d);
            }
        }
        return rel;
    }

    /** Panels of {@code [Rh; Rw]}'s rows. */
    private static int relPanels(int windowH, int windowW) {
        return (2 * windowH - 1 + 2 * windowW - 1 + JvmMicroKernel.width() - 1) / JvmMicroKernel.width();
    }

    /**
     * The rel-pos terms of this block's queries by key row and by key column, {@code byRow[kh][i] = q_i . Rh[qh_i - kh +
     * Wh - 1]} and {@code byColumn[kw][i] = q_i . Rw[qw_i - kw + Ww - 1]} (q unscaled), from one GEMM
     * {@code T = Q [Rh; Rw]^T}: the softmax adds {@code byRow[kh] + byColumn[kw]} to key {@code kh * Ww + kw}'s row of
     * {@code S^T} as it reads it.
     */
    private static void relPosTerms(JvmAttentionBlock a, int[] local, int n, float[] relRows, int windowH, int windowW, float[] byRow,
            float[] byColumn) {
        int headDim = a.headDim;
        int rowsH = 2 * windowH - 1;
        int panels = relPanels(windowH, windowW);
        int ldT = panels * JvmMicroKernel.width();
        int tiles = (n + JvmMicroKernel.ROWS - 1) / JvmMicroKernel.ROWS;
        float[] terms = SCRATCH.get(1, tiles * JvmMicroKernel.ROWS * ldT);
        JvmGemm.multiply(a.queryRows, headDim, 1, tiles, relRows, headDim, 0, panels, terms, ldT);
        // Queries along the vector: byRow[kh][i], byColumn[kw][i]; columns past n stay 0.
        int ldQ = a.ldQ;
        Arrays.fill(byRow, 0, windowH * ldQ, 0f);
        Arrays.fill(byColumn, 0, windowW * ldQ, 0f);
        for (int i = 0; i < n; i++) {
            int qh = local[i] / windowW;
            int qw = local[i] % windowW;
            for (int kh = 0; kh < windowH; kh++) {
                byRow[kh * ldQ + i] = terms[i * ldT + qh - kh + windowH - 1];
            }
            for (int kw = 0; kw < windowW; kw++) {
                byColumn[kw * ldQ + i] = terms[i * ldT + rowsH + qw - kw + windowW - 1];
            }
        }
    }
}
