package org.vitornado.reference;

/**
 * Global multi-head attention in its textbook form: the whole score row of a query, a max-subtracted softmax, then
 * the weighted sum of the values. (The kernels never store a score row: they stream the keys with an online softmax.
 * Here each row is materialised, which is what makes this the reference.)
 */
public final class Attention {

    private Attention() {
    }

    /**
     * Self-attention from timm's packed qkv: {@code qkv [batch, tokens, 3, heads, headDim]} (q, k, v of a token side by
     * side, C = heads * headDim), {@code out[b, i, h] = sum_j softmax_j(scale q_i . k_j) v_j} per head,
     * {@code out [batch, tokens, heads, headDim]}. The case q = kv, strides 3C, offsets 0, C, 2C of
     * {@link #attentionSeparate}. Reference for {@code AttentionKernels.attention} and
     * {@code FlashAttentionKernels.attention} (packed).
     */
    public static double[] attention(float[] qkv, int batch, int tokens, int heads, int headDim, double scale) {
        int c = heads * headDim;
        return attentionSeparate(qkv, qkv, batch, tokens, tokens, heads, headDim, 3 * c, 0, 3 * c, c, 2 * c, scale);
    }

    /**
     * Attention with queries and keys/values in separate arrays, as the kernels take them: query row i of image b at
     * {@code q[(b * queries + i) * qStride + qOffset ...]}, key and value row j at
     * {@code kv[(b * keys + j) * kvStride + kOffset ...]} and {@code kv[... + vOffset ...]}, head h's slice at
     * {@code + h * headDim}; {@code out[b, i, h] = sum_j softmax_j(scale q_i . k_j) v_j},
     * {@code out [batch, queries, heads, headDim]}. Covers cross-attention, SegFormer's spatial-reduction attention
     * (fewer keys than queries) and DEPICT's shared q = k = v. Reference for {@code AttentionKernels.attentionSeparate}
     * and {@code FlashAttentionKernels.attention}.
     */
    public static double[] attentionSeparate(float[] q, float[] kv, int batch, int queries, int keys, int heads, int headDim, int qStride,
            int qOffset, int kvStride, int kOffset, int vOffset, double scale) {
        return maskedAttention(q, kv, kv, new float[batch * keys], batch, queries, keys, heads, headDim, qStride, qOffset, kvStride, kOffset, kvStride,
                vOffset, scale);
    }

    /**
     * {@code nn.MultiheadAttention} with a key padding mask, q, k and v in three arrays (row r of image b at
     * {@code (b * rows + r) * stride + offset}, head h {@code h * headDim} further): keys with
     * {@code keyMask[b * keys + j] != 0} get -inf before the softmax. An all-masked row is NaN, as in PyTorch.
     * Reference for {@code MaskedAttentionKernels.attention} and {@code JvmAttentionKernels.maskedAttention}.
     */
    public static double[] maskedAttention(float[] q, float[] k, float[] v, float[] keyMask, int batch, int queries, int keys, int heads,
            int headDim, int qStride, int qOffset, int kStride, int kOffset, int vStride, int vOffset, double scale) {
        int c = heads * headDim;
        double[] out = new double[batch * queries * c];
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                for (int i = 0; i < queries; i++) {
                    double[] p = new double[keys];
                    for (int j = 0; j < keys; j++) {
                        double s = 0;
                        for (int d = 0; d < headDim; d++) {
                            s += (double) q[(b * queries + i) * qStride + qOffset + h * headDim + d] * k[(b * keys + j) * kStride + kOffset + h * headDim + d];
                        }
                        p[j] = keyMask[b * keys + j] != 0 ? Double.NEGATIVE_INFINITY : s * scale;
                    }
                    double max = Double.NEGATIVE_INFINITY;
                    for (double x : p) {
                        max = Math.max(max, x);
                    }
                    double sum = 0;
                    for (int j = 0; j < keys; j++) {
                        p[j] = Math.exp(p[j] - max);
                        sum += p[j];
                    }
                    for (int j = 0; j < keys; j++) {
                        for (int d = 0; d < headDim; d++) {
                            out[(b * queries + i) * c + h * headDim + d] += p[j] / sum * v[(b * keys + j) * vStride + vOffset + h * headDim + d];
                        }
                    }
                }
            }
        }
        return out;
    }
}
