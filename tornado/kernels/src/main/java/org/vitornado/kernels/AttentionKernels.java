package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Multi-head self-attention from timm's packed qkv: {@code qkv[b*T + t, (s*heads + h)*headDim + d]} with
 * s = 0 (query), 1 (key), 2 (value). Memory-efficient: each query streams over the keys once with an online
 * softmax (running max m and sum l, rescaling the partial output when m grows), so no T x T score matrix is ever
 * stored, whatever the sequence length.
 */
public final class AttentionKernels {

    private AttentionKernels() {
    }

    /** Grid 2D: x = query token i, y = b * heads + h. */
    public static WorkerGrid grid(int batch, int tokens, int heads) {
        return Grids.grid2D(tokens, batch * heads, 16, 1);
    }

    /** out[b*T + i, h*headDim + d] = sum_j softmax_j(scale q_i . k_j) v_j[d]. */
    public static void attention(KernelContext ctx, FloatArray qkv, FloatArray out, int batch, int tokens, int heads, int headDim, float scale) {
        int i = ctx.globalIdx;
        int bh = ctx.globalIdy;
        if (i >= tokens || bh >= batch * heads) {
            return;
        }
        int b = bh / heads;
        int h = bh - b * heads;
        int channels = heads * headDim;
        int stride = 3 * channels;
        int q = (b * tokens + i) * stride + h * headDim;
        int o = (b * tokens + i) * channels + h * headDim;
        for (int d = 0; d < headDim; d++) {
            out.set(o + d, 0.0f);
        }
        float max = -Float.MAX_VALUE;
        float sum = 0.0f;
        for (int j = 0; j < tokens; j++) {
            int k = (b * tokens + j) * stride + channels + h * headDim;
            int v = k + channels;
            float s = scale * LinearKernels.dot(qkv, q, qkv, k, headDim);
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
                out.set(o + d, out.get(o + d) + p * qkv.get(v + d));
            }
        }
        float inv = 1.0f / sum;
        for (int d = 0; d < headDim; d++) {
            out.set(o + d, out.get(o + d) * inv);
        }
    }
}
