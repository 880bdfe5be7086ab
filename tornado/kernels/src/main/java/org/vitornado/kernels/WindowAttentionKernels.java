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
 * <p>Float64 reference: {@link org.vitornado.reference.WindowAttention}.
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
        // A padded position's key is the k bias, the same for every padded position: its score is computed once.
        int keyBias = channels + h * headDim;
        float qkBias = LinearKernels.dot(qkv, q, qkvBias, keyBias, headDim);
        float max = -Float.MAX_VALUE;
        float sum = 0.0f;
        for (int kh = 0; kh < windowH; kh++) {
            float biasH = relPos == 0 ? 0.0f : LinearKernels.dot(qkv, q, relPosH, (qh - kh + windowH - 1) * headDim, headDim);
            for (int kw = 0; kw < windowW; kw++) {
                int ky = originY + kh;
                int kx = originX + kw;
                // A real position's key and value come from its qkv row, a padded one's from the bias. Both are read
                // (a padded position reads the query's own row instead of its, which does not exist) and the right
                // one is selected by value: TornadoVM 5.2's OpenCL generator mis-merges a value computed in two
                // branches that each contain a loop (a dot product), so no branch here holds one.
                boolean real = ky < height && kx < width;
                int row = real ? b * perImage + ky * width + kx : token;
                int k = row * 3 * channels + channels + h * headDim;
                float qkRow = LinearKernels.dot(qkv, q, qkv, k, headDim);
                float s = scale * (real ? qkRow : qkBias) + biasH;
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
                    float fromRow = qkv.get(k + channels + d);
                    float fromBias = qkvBias.get(keyBias + channels + d);
                    out.set(o + d, out.get(o + d) + p * (real ? fromRow : fromBias));
                }
            }
        }
        float inv = 1.0f / sum;
        for (int d = 0; d < headDim; d++) {
            out.set(o + d, out.get(o + d) * inv);
        }
    }
}
