package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Attention over windows of a token map {@code [batch, height, width]} (ViTDet / SAM), with decomposed relative
 * position. Windows are indexed in place, with no partition or reverse copies: the map is conceptually zero-padded
 * at the bottom and right to a multiple of the window, and a padded position's key and value are the qkv biases
 * (the projection of a zero token; padded tokens are not masked, as upstream). Only real positions are queried,
 * which is the upstream crop. A global block is one window of the whole map.
 *
 * <p>{@code attn[i, j] = scale q_i . k_j + q_i . Rh[qh_i - kh_j + windowH - 1] + q_i . Rw[qw_i - kw_j + windowW - 1]}
 * with the unscaled q and window-local coordinates; tables {@code relPosH [2 windowH - 1, headDim]} and
 * {@code relPosW [2 windowW - 1, headDim]} are already at those lengths. Online softmax as in {@link AttentionKernels}.
 */
public final class WindowAttentionKernels {

    private WindowAttentionKernels() {
    }

    /** Grid 2D: x = token b*H*W + y*W + x, y = head. */
    public static WorkerGrid grid(int batch, int height, int width, int heads) {
        return Grids.grid2D(batch * height * width, heads, 16, 1);
    }

    /** out[b*H*W + y*W + x, h*headDim + d] = attention of that query over its window (relPos = 0 disables the bias). */
    public static void windowAttention(KernelContext ctx, FloatArray qkv, FloatArray qkvBias, FloatArray relPosH, FloatArray relPosW,
            FloatArray out, int batch, int height, int width, int heads, int headDim, int windowH, int windowW, int relPos, float scale) {
        int token = ctx.globalIdx;
        int h = ctx.globalIdy;
        if (token >= batch * height * width || h >= heads) {
            return;
        }
        int perImage = height * width;
        int b = token / perImage;
        int y = (token - b * perImage) / width;
        int x = token - b * perImage - y * width;
        int originY = (y / windowH) * windowH;
        int originX = (x / windowW) * windowW;
        int qh = y - originY;
        int qw = x - originX;
        int channels = heads * headDim;
        int q = token * 3 * channels + h * headDim;
        int o = token * channels + h * headDim;
        for (int d = 0; d < headDim; d++) {
            out.set(o + d, 0.0f);
        }
        float max = -Float.MAX_VALUE;
        float sum = 0.0f;
        for (int kh = 0; kh < windowH; kh++) {
            float biasH = relPos == 0 ? 0.0f : LinearKernels.dot(qkv, q, relPosH, (qh - kh + windowH - 1) * headDim, headDim);
            for (int kw = 0; kw < windowW; kw++) {
                int ky = originY + kh;
                int kx = originX + kw;
                // A padded position's key and value come from the bias row; a real one's from its qkv row.
                // (Two arrays are read by branch, not selected as objects: the JIT handles values, not array phis.)
                boolean real = ky < height && kx < width;
                int k = (real ? ((b * perImage + ky * width + kx) * 3 * channels) : 0) + channels + h * headDim;
                int v = k + channels;
                float qk = real ? LinearKernels.dot(qkv, q, qkv, k, headDim) : LinearKernels.dot(qkv, q, qkvBias, k, headDim);
                float s = scale * qk + biasH;
                if (relPos != 0) {
                    s += LinearKernels.dot(qkv, q, relPosW, (qw - kw + windowW - 1) * headDim, headDim);
                }
                if (s > max) {
                    float correction = TornadoMath.exp(max - s);
                    sum *= correction;
                    for (int d = 0; d < headDim; d++) {
                        out.set(o + d, out.get(o + d) * correction);
                    }
                    max = s;
                }
                float p = TornadoMath.exp(s - max);
                sum += p;
                for (int d = 0; d < headDim; d++) {
                    float value = real ? qkv.get(v + d) : qkvBias.get(v + d);
                    out.set(o + d, out.get(o + d) + p * value);
                }
            }
        }
        float inv = 1.0f / sum;
        for (int d = 0; d < headDim; d++) {
            out.set(o + d, out.get(o + d) * inv);
        }
    }
}
