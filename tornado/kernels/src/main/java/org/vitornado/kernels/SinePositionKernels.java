package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * DETR's {@code PositionEmbeddingSine(num_pos_feats = half, temperature, normalize=True, scale)} on a padded batch,
 * channels-last {@code pos [batch, height, width, 2 half]}. From the feature mask ({@code 1} = padding):
 * <pre>
 *   yEmbed[b, y, x] = number of valid rows y' <= y in column x     (cumsum of 1 - mask down the rows)
 *   xEmbed[b, y, x] = number of valid columns x' <= x in row y
 *   yEmbed /= (yEmbed[b, last row, x] + 1e-6) / scale;  xEmbed likewise with the last column
 *   pos[..., 2i]     = sin(yEmbed / dimT[2i]),  pos[..., 2i + 1] = cos(yEmbed / dimT[2i + 1])   for 2i, 2i + 1 < half
 *   pos[..., half + 2i] = sin(xEmbed / dimT[2i]), ...                                          (the y half first)
 * </pre>
 * with {@code dimT[i] = temperature^(2 floor(i / 2) / half)} computed once on the host, as DETR computes it in float32.
 * A padded position still gets a value (its counts stop at the last valid row or column), as upstream.
 * <p>Float64 reference: {@link org.vitornado.reference.SinePosition}.
 */
public final class SinePositionKernels {

    private SinePositionKernels() {
    }

    /** Grid 2D: x = channel c, y = position b * height * width + y * width + x. */
    public static WorkerGrid grid(int batch, int height, int width, int channels) {
        return Grids.grid2D(channels, batch * height * width, 32, 4);
    }

    public static void sinePosition(KernelContext ctx, FloatArray mask, FloatArray dimT, FloatArray pos, int batch, int height, int width, int halfDim,
            float scale) {
        int c = ctx.globalIdx;
        int position = ctx.globalIdy;
        if (c >= 2 * halfDim || position >= batch * height * width) {
            return;
        }
        int b = position / (height * width);
        int rest = position - b * height * width;
        int y = rest / width;
        int x = rest - y * width;
        int plane = b * height * width;
        float count = 0.0f;
        float total = 0.0f;
        int i = c;
        if (c < halfDim) {
            for (int yy = 0; yy < height; yy++) {
                float valid = 1.0f - mask.get(plane + yy * width + x);
                total += valid;
                count += yy <= y ? valid : 0.0f;
            }
        } else {
            i = c - halfDim;
            for (int xx = 0; xx < width; xx++) {
                float valid = 1.0f - mask.get(plane + y * width + xx);
                total += valid;
                count += xx <= x ? valid : 0.0f;
            }
        }
        float t = count / (total + 1e-6f) * scale / dimT.get(i);
        pos.set(position * 2 * halfDim + c, (i % 2) == 0 ? TornadoMath.sin(t) : TornadoMath.cos(t));
    }
}
