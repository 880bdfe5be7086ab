package org.vitornado.runtime.jvm;

import org.vitornado.kernels.Grids;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * DETR's sine position embedding for the JVM backend only, the maths of {@code SinePositionKernels.sinePosition}: a
 * work-item counts a position's valid rows and columns once for all its channels, where the portable kernel's one
 * work-item per value recounts them per channel (cheap on a GPU, not in JVM dispatch).
 *
 * <p>Grid 1D: x = block of {@value #POSITIONS} positions (all channels); local 1.
 */
public final class JvmPositionKernels {

    static final int POSITIONS = 32;

    private JvmPositionKernels() {
    }

    public static WorkerGrid grid(int batch, int height, int width) {
        return Grids.grid1D((batch * height * width + POSITIONS - 1) / POSITIONS, 1);
    }

    /** Same arguments as {@code SinePositionKernels.sinePosition}. */
    public static void sinePosition(KernelContext ctx, FloatArray mask, FloatArray dimT, FloatArray pos, int batch, int height, int width,
            int halfDim, float scale) {
        int p0 = ctx.globalIdx * POSITIONS;
        int p1 = Math.min(p0 + POSITIONS, batch * height * width);
        for (int position = p0; position < p1; position++) {
            int b = position / (height * width);
            int rest = position - b * height * width;
            int y = rest / width;
            int x = rest - y * width;
            int plane = b * height * width;
            float yCount = 0;
            float yTotal = 0;
            for (int yy = 0; yy < height; yy++) {
                float valid = 1.0f - mask.get(plane + yy * width + x);
                yTotal += valid;
                yCount += yy <= y ? valid : 0.0f;
            }
            float xCount = 0;
            float xTotal = 0;
            for (int xx = 0; xx < width; xx++) {
                float valid = 1.0f - mask.get(plane + y * width + xx);
                xTotal += valid;
                xCount += xx <= x ? valid : 0.0f;
            }
            float yEmbed = yCount / (yTotal + 1e-6f) * scale;
            float xEmbed = xCount / (xTotal + 1e-6f) * scale;
            int at = position * 2 * halfDim;
            for (int i = 0; i < halfDim; i++) {
                float ty = yEmbed / dimT.get(i);
                float tx = xEmbed / dimT.get(i);
                pos.set(at + i, (float) (i % 2 == 0 ? Math.sin(ty) : Math.cos(ty)));
                pos.set(at + halfDim + i, (float) (i % 2 == 0 ? Math.sin(tx) : Math.cos(tx)));
            }
        }
    }
}
