package org.vitornado.runtime.jvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitornado.kernels.Grids;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The patch embedding for the JVM backend only, the maths of {@code PatchEmbedKernels.patchEmbed} (conv k = stride =
 * patch, + bias + position; class rows get the class token) as a blocked matrix product: a work-item gathers the
 * pixels of its {@value #BLOCK} token rows into patch vectors ([ci][ky][kx], the weight's layout) and multiplies them
 * with {@value #BLOCK} filters in 4 x 4 SIMD register tiles.
 *
 * <p>Grid 2D: x = channel block, y = token-row block over {@code batch * (prefix + gridH * gridW)} rows; local 1 x 1.
 */
public final class JvmPatchEmbedKernels {

    static final int BLOCK = 64;

    private JvmPatchEmbedKernels() {
    }

    /**
     * Off-heap scratch per thread: the register tiles read native segments only (a heap segment at the same call
     * site would make the Vector API's memory access polymorphic, and slow, for every kernel that shares it).
     */
    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[] {MemorySegment.NULL});

    static MemorySegment scratch(long bytes) {
        MemorySegment[] s = SCRATCH.get();
        if (s[0].byteSize() < bytes) {
            s[0] = Arena.ofAuto().allocate(bytes, 64);
        }
        return s[0];
    }

    public static WorkerGrid grid(int batch, int tokensPerImage, int embed) {
        return Grids.grid2D((embed + BLOCK - 1) / BLOCK, (batch * tokensPerImage + BLOCK - 1) / BLOCK, 1, 1);
    }

    /** Same arguments as {@code PatchEmbedKernels.patchEmbed}. */
    public static void patchEmbed(KernelContext ctx, FloatArray image, FloatArray weight, FloatArray bias, FloatArray clsToken,
            FloatArray pos, FloatArray tokens, int batch, int inChans, int height, int width, int patch, int embed, int gridH, int gridW,
            int prefix) {
        int c0 = ctx.globalIdx * BLOCK;
        int row0 = ctx.globalIdy * BLOCK;
        int perImage = prefix + gridH * gridW;
        int cEnd = Math.min(c0 + BLOCK, embed);
        int rowEnd = Math.min(row0 + BLOCK, batch * perImage);
        int k = inChans * patch * patch;
        MemorySegment ps = scratch((long) BLOCK * k * Float.BYTES);
        int[] rows = new int[BLOCK];
        int[] positions = new int[BLOCK];
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
                        ps.setAtIndex(ValueLayout.JAVA_FLOAT, (long) n * k + (ci * patch + ky) * patch + kx, image.get(src + kx));
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
        MemorySegment ws = weight.getSegment();
        long rowBytes = (long) k * Float.BYTES;
        float[] acc = new float[16];
        for (int i = 0; i < n; i += 4) {
            for (int c = c0; c < cEnd; c += 4) {
                JvmTiles.dot4x4(ps, i * rowBytes, Math.min(i + 1, n - 1) * rowBytes, Math.min(i + 2, n - 1) * rowBytes,
                        Math.min(i + 3, n - 1) * rowBytes, ws, Math.min(c, embed - 1) * rowBytes, Math.min(c + 1, embed - 1) * rowBytes,
                        Math.min(c + 2, embed - 1) * rowBytes, Math.min(c + 3, embed - 1) * rowBytes, k, acc);
                for (int di = 0; di < 4 && i + di < n; di++) {
                    for (int dc = 0; dc < 4 && c + dc < cEnd; dc++) {
                        int ch = c + dc;
                        tokens.set(rows[i + di] * embed + ch, acc[di * 4 + dc] + bias.get(ch) + pos.get(positions[i + di] * embed + ch));
                    }
                }
            }
        }
    }
}
