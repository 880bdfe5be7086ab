package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Version 2 of window attention ({@link WindowAttentionKernels} is version 1, whose class comment states the maths:
 * windows indexed in place, padded positions' keys and values are the qkv biases, decomposed rel-pos), flash-attention
 * style for GPUs as {@link FlashAttentionKernels} is for global attention.
 * <p>
 * Version 1 gives each query its own work-item, which reads all {@code windowH x windowW} keys and values of its
 * window from global memory, and recomputes {@code q . Rw} for every key. Here a work-group of {@link #QUERIES}
 * positions of one window and one head walks the window's keys {@link #KEYS} at a time: the group copies the block's
 * keys and values (the bias for a padded position) into local memory once, then every work-item scores its query
 * against them. The rel-pos terms depend on the key only through its row {@code kh} and column {@code kw}, so each
 * work-item computes its {@code windowH} values {@code q . Rh[qh - kh + windowH - 1]} and {@code windowW} values
 * {@code q . Rw[qw - kw + windowW - 1]} once, before the keys, and adds two of them per score.
 * <p>
 * Grid: x runs over windows (image-major, then window row, then column), {@code ceil(windowH windowW / QUERIES)}
 * work-groups per window, a window-local position per work-item; y = head. Positions past the window, or in the part
 * of an edge window that pads the map, compute on a real row and store nothing (upstream crops them).
 * <p>
 * Whether a key is padding is applied as arithmetic ({@code real * row + (1 - real) * bias}, {@code real} 0 or 1) with
 * clamped indices, not as a select on a bounds test: with the sizes frozen, TornadoVM 5.2 can fold such a test into a
 * constant its OpenCL generator rejects (see docs/kernels.md). Heads up to {@link #MAX_HEAD_DIM} wide, windows up to
 * {@link #MAX_SIDE} on a side (ViTDet's and SAM's global blocks at 1024x1024 are 64x64); local memory
 * {@code 2 * KEYS * MAX_HEAD_DIM} floats (32 KB).
 * <p>Float64 reference: {@link org.vitornado.reference.WindowAttention}.
 */
public final class FlashWindowAttentionKernels {

    /** Window positions (queries) per work-group. */
    public static final int QUERIES = 32;
    /** Keys per block held in local memory. */
    public static final int KEYS = 32;
    /** The widest head this version takes. */
    public static final int MAX_HEAD_DIM = 128;
    /** The longest window side: the private rel-pos tables hold this many terms per axis. */
    public static final int MAX_SIDE = 64;
    /** Local memory one work-group needs, in bytes. */
    public static final long LOCAL_BYTES = 2L * KEYS * MAX_HEAD_DIM * Float.BYTES;

    private FlashWindowAttentionKernels() {
    }

    /** Whether this version takes heads {@code headDim} wide and windows {@code windowH x windowW}. */
    public static boolean takes(int headDim, int windowH, int windowW) {
        return headDim <= MAX_HEAD_DIM && windowH <= MAX_SIDE && windowW <= MAX_SIDE;
    }

    /** Grid 2D: x = window * groupsPerWindow * QUERIES + window-local position, in work-groups of {@link #QUERIES}; y = head. */
    public static WorkerGrid grid(int batch, int height, int width, int heads, int windowH, int windowW) {
        int windows = batch * Grids.ceilDiv(height, windowH) * Grids.ceilDiv(width, windowW);
        int perWindow = Grids.roundUp(windowH * windowW, QUERIES);
        WorkerGrid g = new WorkerGrid2D(Math.max(windows * perWindow, QUERIES), Math.max(heads, 1));
        g.setLocalWork(QUERIES, 1, 1);
        return g;
    }

    /** out[b*H*W + y*W + x, h*headDim + d] = attention of that query over its window (relPos = 0 disables the bias). */
    public static void windowAttention(KernelContext ctx, FloatArray qkv, FloatArray qkvBias, FloatArray relPosH, FloatArray relPosW,
            FloatArray out, int batch, int height, int width, int heads, int headDim, int windowH, int windowW, int relPos, float scale) {
        float[] ks = ctx.allocateFloatLocalArray(KEYS * MAX_HEAD_DIM);
        float[] vs = ctx.allocateFloatLocalArray(KEYS * MAX_HEAD_DIM);
        float[] query = new float[MAX_HEAD_DIM];
        float[] acc = new float[MAX_HEAD_DIM];
        float[] termH = new float[MAX_SIDE];
        float[] termW = new float[MAX_SIDE];
        int lane = ctx.localIdx;
        int h = ctx.groupIdy;
        int window = windowH * windowW;
        int groupsPerWindow = (window + QUERIES - 1) / QUERIES;
        int w = ctx.groupIdx / groupsPerWindow;
        int p = (ctx.groupIdx - w * groupsPerWindow) * QUERIES + lane;
        int windowsX = (width + windowW - 1) / windowW;
        int windowsPerImage = ((height + windowH - 1) / windowH) * windowsX;
        int b = w / windowsPerImage;
        int originY = ((w - b * windowsPerImage) / windowsX) * windowH;
        int originX = ((w - b * windowsPerImage) % windowsX) * windowW;
        int qh = Math.min(p, window - 1) / windowW;
        int qw = Math.min(p, window - 1) - qh * windowW;
        int y = originY + qh;
        int x = originX + qw;
        int channels = heads * headDim;
        int stride = 3 * channels;
        int head = h * headDim;
        // The query, unscaled (the rel-pos terms use it so); a position that is not stored reads the nearest real row.
        int qi = ((b * height + Math.min(y, height - 1)) * width + Math.min(x, width - 1)) * stride + head;
        for (int d = 0; d < headDim; d++) {
            query[d] = qkv.get(qi + d);
            acc[d] = 0.0f;
        }
        // termH[kh] = q . Rh[qh - kh + windowH - 1], termW[kw] = q . Rw[qw - kw + windowW - 1].
        for (int kh = 0; kh < windowH; kh++) {
            float t = 0.0f;
            if (relPos != 0) {
                int row = (qh - kh + windowH - 1) * headDim;
                for (int d = 0; d < headDim; d++) {
                    t += query[d] * relPosH.get(row + d);
                }
            }
            termH[kh] = t;
        }
        for (int kw = 0; kw < windowW; kw++) {
            float t = 0.0f;
            if (relPos != 0) {
                int row = (qw - kw + windowW - 1) * headDim;
                for (int d = 0; d < headDim; d++) {
                    t += query[d] * relPosW.get(row + d);
                }
            }
            termW[kw] = t;
        }
        float max = -Float.MAX_VALUE;
        float sum = 0.0f;
        for (int j0 = 0; j0 < window; j0 += KEYS) {
            // Copy-in: the block's keys and values, d fastest across work-items; past the window a slot repeats the
            // last key, which no score reads (n below).
            for (int e = lane; e < KEYS * headDim; e += QUERIES) {
                int j = Math.min(j0 + e / headDim, window - 1);
                int d = e % headDim;
                int ky = originY + j / windowW;
                int kx = originX + j % windowW;
                float real = 1 - Math.min(1, Math.max(0, ky - height + 1) + Math.max(0, kx - width + 1));
                int row = ((b * height + Math.min(ky, height - 1)) * width + Math.min(kx, width - 1)) * stride + head + d;
                ks[e] = real * qkv.get(row + channels) + (1 - real) * qkvBias.get(channels + head + d);
                vs[e] = real * qkv.get(row + 2 * channels) + (1 - real) * qkvBias.get(2 * channels + head + d);
            }
            ctx.localBarrier();
            int n = Math.min(window - j0, KEYS);
            for (int jj = 0; jj < n; jj++) {
                int kh = (j0 + jj) / windowW;
                float dot = 0.0f;
                for (int d = 0; d < headDim; d++) {
                    dot += query[d] * ks[jj * headDim + d];
                }
                float s = scale * dot + termH[kh] + termW[j0 + jj - kh * windowW];
                if (s > max) {
                    float correction = TornadoMath.exp(max - s);
                    sum *= correction;
                    for (int d = 0; d < headDim; d++) {
                        acc[d] *= correction;
                    }
                    max = s;
                }
                float pr = TornadoMath.exp(s - max);
                sum += pr;
                for (int d = 0; d < headDim; d++) {
                    acc[d] += pr * vs[jj * headDim + d];
                }
            }
            ctx.localBarrier();
        }
        if (p < window && y < height && x < width) {
            float inv = 1.0f / sum;
            int o = ((b * height + y) * width + x) * channels + head;
            for (int d = 0; d < headDim; d++) {
                out.set(o + d, acc[d] * inv);
            }
        }
    }
}
