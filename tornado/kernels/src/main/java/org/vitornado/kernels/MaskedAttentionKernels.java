package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Multi-head attention with q, k and v in three arrays and a key padding mask, as {@code nn.MultiheadAttention} with
 * {@code key_padding_mask} (DETR's encoder and its decoder's cross-attention: the queries are {@code x + pos}, the
 * values {@code x}, and keys on an image's padding get -inf before the softmax, so they get no weight). Row r of image
 * b of q is at {@code (b * queries + r) * qStride + qOffset}, head h {@code h * headDim} further; k and v likewise
 * with their own strides and offsets; {@code keyMask[b * keys + j] = 1} masks key j of image b.
 * out[b*Q + i, h*headDim + d] = sum over unmasked j of softmax_j(scale q_i . k_j) v_j[d], with the online softmax of
 * {@link AttentionKernels} (extending its {@code attentionSeparate}).
 * <p>Float64 reference: {@link org.vitornado.reference.Attention#maskedAttention}.
 */
public final class MaskedAttentionKernels {

    private MaskedAttentionKernels() {
    }

    /** Grid 2D: x = query i, y = b * heads + h. */
    public static WorkerGrid grid(int batch, int queries, int heads) {
        return Grids.grid2D(queries, batch * heads, 16, 1);
    }

    public static void attention(KernelContext ctx, FloatArray q, FloatArray k, FloatArray v, FloatArray keyMask, FloatArray out, int batch,
            int queries, int keys, int heads, int headDim, int qStride, int qOffset, int kStride, int kOffset, int vStride, int vOffset, float scale) {
        int i = ctx.globalIdx;
        int bh = ctx.globalIdy;
        if (i >= queries || bh >= batch * heads) {
            return;
        }
        int b = bh / heads;
        int h = bh - b * heads;
        int qi = (b * queries + i) * qStride + qOffset + h * headDim;
        int o = (b * queries + i) * heads * headDim + h * headDim;
        for (int d = 0; d < headDim; d++) {
            out.set(o + d, 0.0f);
        }
        float max = -Float.MAX_VALUE;
        float sum = 0.0f;
        for (int j = 0; j < keys; j++) {
            if (keyMask.get(b * keys + j) == 0.0f) {
                int kj = (b * keys + j) * kStride + kOffset + h * headDim;
                int vj = (b * keys + j) * vStride + vOffset + h * headDim;
                float s = scale * LinearKernels.dot(q, qi, k, kj, headDim);
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
                    out.set(o + d, out.get(o + d) + p * v.get(vj + d));
                }
            }
        }
        // Every key masked: 0 / 0, NaN, as PyTorch's softmax over -inf only.
        float inv = 1.0f / sum;
        for (int d = 0; d < headDim; d++) {
            out.set(o + d, out.get(o + d) * inv);
        }
    }
}
