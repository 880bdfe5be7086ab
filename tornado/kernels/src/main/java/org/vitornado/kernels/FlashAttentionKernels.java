package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Version 2 of attention ({@link AttentionKernels} is version 1), flash-attention style for GPUs: the same online
 * softmax, with the keys and values streamed through local memory in blocks that a whole work-group shares.
 * <p>
 * Version 1 gives each query its own work-item, which reads every key and value of its head from global memory:
 * the 197 queries of a ViT-S head read the same 197 keys 197 times. Here a work-group of {@link #QUERIES} queries of
 * one head walks the keys {@link #KEYS} at a time: the group copies the block's keys and values into local memory
 * once, then every work-item scores its query against them and folds them into its running max, sum and output
 * (kept in private arrays, with the query). No {@code queries x keys} matrix is stored, at any length.
 * <p>
 * Layout as {@code AttentionKernels.attentionSeparate}: row r of image b at {@code (b * rows + r) * stride}, the head's
 * slice at {@code offset + h * headDim}; timm's packed qkv is the case q = kv, stride 3C, offsets 0, C, 2C. Head
 * width at most {@link #MAX_HEAD_DIM}; local memory {@code 2 * KEYS * MAX_HEAD_DIM} floats (32 KB).
 * <p>Float64 reference: {@link org.vitornado.reference.Attention}.
 */
public final class FlashAttentionKernels {

    /** Queries per work-group (one work-item each). */
    public static final int QUERIES = 32;
    /** Keys per block held in local memory. */
    public static final int KEYS = 32;
    /** The widest head this version takes (ViT-H and SAM-H heads are 80 wide). */
    public static final int MAX_HEAD_DIM = 128;
    /** Local memory one work-group needs, in bytes. */
    public static final long LOCAL_BYTES = 2L * KEYS * MAX_HEAD_DIM * Float.BYTES;

    private FlashAttentionKernels() {
    }

    /** Whether a device with this much local memory and this largest work-group can run it, for heads this wide. */
    public static boolean fits(long localMemoryBytes, long maxWorkGroupItems, int headDim) {
        return headDim <= MAX_HEAD_DIM && localMemoryBytes >= LOCAL_BYTES && maxWorkGroupItems >= QUERIES;
    }

    /** Grid 2D: x = query (in work-groups of {@link #QUERIES}), y = image * heads + head. */
    public static WorkerGrid grid(int batch, int queries, int heads) {
        WorkerGrid g = new WorkerGrid2D(Grids.roundUp(Math.max(queries, 1), QUERIES), Math.max(batch * heads, 1));
        g.setLocalWork(QUERIES, 1, 1);
        return g;
    }

    /** out[b*Q + i, h*headDim + d] = sum_j softmax_j(scale q_i . k_j) v_j[d]. */
    public static void attention(KernelContext ctx, FloatArray q, FloatArray kv, FloatArray out, int batch, int queries, int keys, int heads,
            int headDim, int qStride, int qOffset, int kvStride, int kOffset, int vOffset, float scale) {
        float[] ks = ctx.allocateFloatLocalArray(KEYS * MAX_HEAD_DIM);
        float[] vs = ctx.allocateFloatLocalArray(KEYS * MAX_HEAD_DIM);
        float[] query = new float[MAX_HEAD_DIM];
        float[] acc = new float[MAX_HEAD_DIM];
        int lane = ctx.localIdx;
        int i = ctx.groupIdx * QUERIES + lane;
        int bh = ctx.groupIdy;
        int b = bh / heads;
        int h = bh - b * heads;
        int channels = heads * headDim;
        // A padded work-item (i past the last query) takes part in the copies and barriers on query 0's data.
        int qi = (b * queries + Math.min(i, queries - 1)) * qStride + qOffset + h * headDim;
        // The scale is folded into the query once; private arrays are not zeroed by TornadoVM, so both are set here.
        for (int d = 0; d < headDim; d++) {
            query[d] = scale * q.get(qi + d);
            acc[d] = 0.0f;
        }
        float max = -Float.MAX_VALUE;
        float sum = 0.0f;
        int kvBase = b * keys * kvStride + h * headDim;
        for (int j0 = 0; j0 < keys; j0 += KEYS) {
            // Copy-in: the block's keys and values, d fastest across work-items. Past the last key a slot repeats it;
            // no query reads those (n below). Clamping, not a select on j < keys: with the sizes frozen, TornadoVM 5.2
            // folds such a condition into a constant its OpenCL generator rejects ("logic node").
            for (int e = lane; e < KEYS * headDim; e += QUERIES) {
                int j = Math.min(j0 + e / headDim, keys - 1);
                int row = kvBase + j * kvStride + e % headDim;
                ks[e] = kv.get(row + kOffset);
                vs[e] = kv.get(row + vOffset);
            }
            ctx.localBarrier();
            int n = Math.min(keys - j0, KEYS);
            for (int jj = 0; jj < n; jj++) {
                float s = 0.0f;
                for (int d = 0; d < headDim; d++) {
                    s += query[d] * ks[jj * headDim + d];
                }
                if (s > max) {
                    float correction = TornadoMath.exp(max - s);
                    sum *= correction;
                    for (int d = 0; d < headDim; d++) {
                        acc[d] *= correction;
                    }
                    max = s;
                }
                float p = TornadoMath.exp(s - max);
                sum += p;
                for (int d = 0; d < headDim; d++) {
                    acc[d] += p * vs[jj * headDim + d];
                }
            }
            ctx.localBarrier();
        }
        if (i < queries) {
            float inv = 1.0f / sum;
            int o = (b * queries + i) * channels + h * headDim;
            for (int d = 0; d < headDim; d++) {
                out.set(o + d, acc[d] * inv);
            }
        }
    }
}
