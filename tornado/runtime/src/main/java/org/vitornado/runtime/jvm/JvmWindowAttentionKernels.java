package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Window attention with decomposed relative position for the JVM backend only: the maths of
 * {@code WindowAttentionKernels.windowAttention} (windows indexed in place, padded keys and values from the qkv bias,
 * {@code attn = scale q.k + q.Rh[qh - kh + Wh - 1] + q.Rw[qw - kw + Ww - 1]} with the unscaled q, padded queries not
 * computed) arranged like {@link JvmAttentionKernels}: a work-item gathers its window's keys (transposed) and values
 * once, then takes a block of the window's queries for one head ({@link #queryBlock}): rel-pos terms per query row and column,
 * scores a vector of keys at a time, vector {@code exp}, {@code p v} four queries at a time.
 *
 * <p>Grid 2D: x = block of window positions, y = (b * windows + window) * heads + h; local 1 x 1.
 */
public final class JvmWindowAttentionKernels {

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][0]);

    private JvmWindowAttentionKernels() {
    }

    public static WorkerGrid grid(int batch, int height, int width, int heads, int windowH, int windowW) {
        int windows = ((height + windowH - 1) / windowH) * ((width + windowW - 1) / windowW);
        int block = queryBlock(windowH * windowW);
        return Grids.grid2D((windowH * windowW + block - 1) / block, batch * windows * heads, 1, 1);
    }

    /** Window positions per work-item: 32, or 128 past 1024 keys, where gathering the keys would cost as much as the scores. */
    static int queryBlock(int keys) {
        return keys >= 1024 ? 128 : 32;
    }

    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        if (s[slot].length < size) {
            s[slot] = new float[size];
        }
        return s[slot];
    }

    /** Same arguments as {@code WindowAttentionKernels.windowAttention}. */
    public static void windowAttention(KernelContext ctx, FloatArray qkv, FloatArray qkvBias, FloatArray relPosH, FloatArray relPosW,
            FloatArray out, int batch, int height, int width, int heads, int headDim, int windowH, int windowW, int relPos, float scale) {
        int windowsX = (width + windowW - 1) / windowW;
        int windows = ((height + windowH - 1) / windowH) * windowsX;
        int id = ctx.globalIdy;
        int h = id % heads;
        int bw = id / heads;
        int b = bw / windows;
        int w = bw - b * windows;
        int originY = (w / windowsX) * windowH;
        int originX = (w % windowsX) * windowW;
        int keys = windowH * windowW;
        int block = queryBlock(keys);
        int t0 = ctx.globalIdx * block;
        int channels = heads * headDim;
        int lanes = JvmTiles.S.length();
        int padded = (keys + lanes - 1) / lanes * lanes;
        float[] kT = scratch(0, headDim * padded);
        float[] v = scratch(1, keys * headDim + lanes);
        float[] s = scratch(2, block * padded);
        float[] rel = scratch(3, block * (windowH + windowW));
        float[] qBuf = scratch(4, block * headDim);
        MemorySegment qs = qkv.getSegment();
        MemorySegment bs = qkvBias.getSegment();

        // The window's keys (transposed) and values; padded positions take the bias rows.
        for (int j = 0; j < padded; j++) {
            int ky = originY + j / windowW;
            int kx = originX + j % windowW;
            boolean real = j < keys && ky < height && kx < width;
            long row = ((long) b * height * width + (long) ky * width + kx) * 3 * channels;
            for (int d = 0; d < headDim; d++) {
                long kIndex = channels + (long) h * headDim + d;
                float k = j >= keys ? 0f : real ? qs.getAtIndex(ValueLayout.JAVA_FLOAT, row + kIndex) : bs.getAtIndex(ValueLayout.JAVA_FLOAT, kIndex);
                kT[d * padded + j] = k;
                if (j < keys) {
                    long vIndex = kIndex + channels;
                    v[j * headDim + d] = real ? qs.getAtIndex(ValueLayout.JAVA_FLOAT, row + vIndex) : bs.getAtIndex(ValueLayout.JAVA_FLOAT, vIndex);
                }
            }
        }
        // This work-item's real queries (window positions past the map are the upstream crop: not computed).
        int[] tokens = new int[block];
        int[] local = new int[block];
        int n = 0;
        for (int t = t0; t < Math.min(t0 + block, keys); t++) {
            int y = originY + t / windowW;
            int x = originX + t % windowW;
            if (y < height && x < width) {
                tokens[n] = b * height * width + y * width + x;
                local[n] = t;
                for (int d = 0; d < headDim; d++) {
                    qBuf[n * headDim + d] = qs.getAtIndex(ValueLayout.JAVA_FLOAT, (long) tokens[n] * 3 * channels + (long) h * headDim + d);
                }
                n++;
            }
        }
        if (n == 0) {
            return;
        }
        // Rel-pos terms: rel[i][kh] = q_i . Rh[qh - kh + Wh - 1], rel[i][Wh + kw] = q_i . Rw[qw - kw + Ww - 1].
        int relWidth = windowH + windowW;
        if (relPos != 0) {
            for (int i = 0; i < n; i++) {
                int qh = local[i] / windowW;
                int qw = local[i] % windowW;
                for (int kh = 0; kh < windowH; kh++) {
                    rel[i * relWidth + kh] = dot(qBuf, i * headDim, relPosH, (qh - kh + windowH - 1) * headDim, headDim);
                }
                for (int kw = 0; kw < windowW; kw++) {
                    rel[i * relWidth + windowH + kw] = dot(qBuf, i * headDim, relPosW, (qw - kw + windowW - 1) * headDim, headDim);
                }
            }
        }
        // Scores, four queries x one vector of keys per step.
        for (int i = 0; i < n; i += 4) {
            int qa = i * headDim;
            int qb = Math.min(i + 1, n - 1) * headDim;
            int qc = Math.min(i + 2, n - 1) * headDim;
            int qd = Math.min(i + 3, n - 1) * headDim;
            for (int j = 0; j < padded; j += lanes) {
                FloatVector c0 = FloatVector.zero(JvmTiles.S);
                FloatVector c1 = FloatVector.zero(JvmTiles.S);
                FloatVector c2 = FloatVector.zero(JvmTiles.S);
                FloatVector c3 = FloatVector.zero(JvmTiles.S);
                for (int d = 0; d < headDim; d++) {
                    FloatVector k = FloatVector.fromArray(JvmTiles.S, kT, d * padded + j);
                    c0 = k.fma(FloatVector.broadcast(JvmTiles.S, qBuf[qa + d]), c0);
                    c1 = k.fma(FloatVector.broadcast(JvmTiles.S, qBuf[qb + d]), c1);
                    c2 = k.fma(FloatVector.broadcast(JvmTiles.S, qBuf[qc + d]), c2);
                    c3 = k.fma(FloatVector.broadcast(JvmTiles.S, qBuf[qd + d]), c3);
                }
                c0.mul(scale).intoArray(s, i * padded + j);
                if (i + 1 < n) {
                    c1.mul(scale).intoArray(s, (i + 1) * padded + j);
                }
                if (i + 2 < n) {
                    c2.mul(scale).intoArray(s, (i + 2) * padded + j);
                }
                if (i + 3 < n) {
                    c3.mul(scale).intoArray(s, (i + 3) * padded + j);
                }
            }
        }
        // Add the rel-pos terms, then softmax numerators in place (padded keys to 0).
        if (relPos != 0) {
            for (int i = 0; i < n; i++) {
                int row = i * padded;
                for (int j = 0; j < keys; j++) {
                    s[row + j] += rel[i * relWidth + j / windowW] + rel[i * relWidth + windowH + j % windowW];
                }
            }
        }
        float[] sum = new float[block];
        JvmAttentionKernels.softmaxRows(s, n, padded, keys, sum);
        // out = p v / sum, four queries sharing each loaded slice of v.
        MemorySegment os = out.getSegment();
        for (int d = 0; d < headDim; d += lanes) {
            VectorMask<Float> m = JvmTiles.S.indexInRange(d, headDim);
            for (int i = 0; i < n; i += 4) {
                int r0 = i * padded;
                int r1 = Math.min(i + 1, n - 1) * padded;
                int r2 = Math.min(i + 2, n - 1) * padded;
                int r3 = Math.min(i + 3, n - 1) * padded;
                FloatVector c0 = FloatVector.zero(JvmTiles.S);
                FloatVector c1 = FloatVector.zero(JvmTiles.S);
                FloatVector c2 = FloatVector.zero(JvmTiles.S);
                FloatVector c3 = FloatVector.zero(JvmTiles.S);
                for (int j = 0; j < keys; j++) {
                    FloatVector vj = FloatVector.fromArray(JvmTiles.S, v, j * headDim + d, m);
                    c0 = vj.fma(FloatVector.broadcast(JvmTiles.S, s[r0 + j]), c0);
                    c1 = vj.fma(FloatVector.broadcast(JvmTiles.S, s[r1 + j]), c1);
                    c2 = vj.fma(FloatVector.broadcast(JvmTiles.S, s[r2 + j]), c2);
                    c3 = vj.fma(FloatVector.broadcast(JvmTiles.S, s[r3 + j]), c3);
                }
                // Stored one by one: vectors kept in an array would be boxed on the heap.
                store(c0, sum[i], os, tokens[i], channels, h, headDim, d, m);
                if (i + 1 < n) {
                    store(c1, sum[i + 1], os, tokens[i + 1], channels, h, headDim, d, m);
                }
                if (i + 2 < n) {
                    store(c2, sum[i + 2], os, tokens[i + 2], channels, h, headDim, d, m);
                }
                if (i + 3 < n) {
                    store(c3, sum[i + 3], os, tokens[i + 3], channels, h, headDim, d, m);
                }
            }
        }
    }

    private static void store(FloatVector c, float sum, MemorySegment os, int token, int channels, int h, int headDim, int d,
            VectorMask<Float> m) {
        c.mul(1.0f / sum).intoMemorySegment(os, ((long) token * channels + (long) h * headDim + d) * Float.BYTES, JvmTiles.ORDER, m);
    }

    private static float dot(float[] a, int aOff, FloatArray b, int bOff, int n) {
        float acc = 0;
        for (int k = 0; k < n; k++) {
            acc += a[aOff + k] * b.get(bOff + k);
        }
        return acc;
    }
}
