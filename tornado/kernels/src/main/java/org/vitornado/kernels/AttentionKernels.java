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
 * <p>Float64 reference: {@link org.vitornado.reference.Attention}.
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
        int k0 = b * tokens * stride + channels + h * headDim;
        attendOne(qkv, q, qkv, k0, channels, stride, tokens, out, (b * tokens + i) * channels + h * headDim, headDim, scale);
    }

    /** Grid 2D: x = query i, y = b * heads + h (as {@link #grid}). */
    public static WorkerGrid separateGrid(int batch, int queries, int heads) {
        return Grids.grid2D(queries, batch * heads, 16, 1);
    }

    /**
     * Attention with queries and keys/values in separate arrays, of different lengths: cross-attention (class
     * queries over patch tokens), spatial-reduction attention (SegFormer: keys from a downsampled map) and
     * attention whose q, k and v are one projection (DEPICT). Row r of image b is at {@code (b * rows + r) * stride};
     * the head's slice starts at {@code offset + h * headDim} (k at {@code kOffset}, v at {@code vOffset} in kv).
     * out[b*Q + i, h*headDim + d] = sum_j softmax_j(scale q_i . k_j) v_j[d].
     */
    public static void attentionSeparate(KernelContext ctx, FloatArray q, FloatArray kv, FloatArray out, int batch, int queries,
            int keys, int heads, int headDim, int qStride, int qOffset, int kvStride, int kOffset, int vOffset, float scale) {
        int i = ctx.globalIdx;
        int bh = ctx.globalIdy;
        if (i >= queries || bh >= batch * heads) {
            return;
        }
        int b = bh / heads;
        int h = bh - b * heads;
        int channels = heads * headDim;
        int qi = (b * queries + i) * qStride + qOffset + h * headDim;
        int k0 = b * keys * kvStride + kOffset + h * headDim;
        attendOne(q, qi, kv, k0, vOffset - kOffset, kvStride, keys, out, (b * queries + i) * channels + h * headDim, headDim, scale);
    }

    /**
     * One query against {@code keys} keys with an online softmax: key j of the head at {@code kv[k0 + j * kvStride]},
     * its value {@code valueShift} further; writes headDim outputs from {@code out[o]}.
     */
    static void attendOne(FloatArray q, int qi, FloatArray kv, int k0, int valueShift, int kvStride, int keys, FloatArray out, int o,
            int headDim, float scale) {
        for (int d = 0; d < headDim; d++) {
            out.set(o + d, 0.0f);
        }
        float max = -Float.MAX_VALUE;
        float sum = 0.0f;
        for (int j = 0; j < keys; j++) {
            int k = k0 + j * kvStride;
            int v = k + valueShift;
            float s = scale * LinearKernels.dot(q, qi, kv, k, headDim);
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
                out.set(o + d, out.get(o + d) + p * kv.get(v + d));
            }
        }
        float inv = 1.0f / sum;
        for (int d = 0; d < headDim; d++) {
            out.set(o + d, out.get(o + d) * inv);
        }
    }
}
