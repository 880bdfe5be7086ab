package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Multi-head attention for the JVM backend only, the maths of {@code AttentionKernels.attentionSeparate}
 * ({@code out_i = sum_j softmax_j(scale q_i . k_j) v_j} per head) as two GEMMs on {@link JvmMicroKernel}, the
 * linear layers' register tile. A work-item takes a block of queries of one head:
 * <ol>
 * <li>{@code S = (scale Q) K^T}: Q's rows (scaled) are copied into a heap array, K is packed transposed into
 * {@link JvmMicroKernel#width()}-key panels, as a linear layer's weights are;</li>
 * <li>each row of S becomes its softmax numerators in place (vector {@code exp}), the denominators kept;</li>
 * <li>{@code O = P V}: V is packed into panels of head channels (a contiguous copy of each key's row), P's rows are
 * the A operand, k walked in chunks so that V's chunk stays in L1; each row is divided by its denominator as it is
 * stored.</li>
 * </ol>
 * Scratch arrays are per thread and reused.
 *
 * <p>Grid 2D: x = block of {@link #queryBlock} queries, y = b * heads + h; local 1 x 1.
 */
public final class JvmAttentionKernels {

    /** Keys per chunk of {@code P V}'s reduction. */
    static final int DEPTH = 128;

    /**
     * Queries per work-item: the queries split evenly into blocks of at most 32 tiles of {@value JvmMicroKernel#ROWS}
     * (a whole ViT head in two blocks, so K and V are packed twice per head), or of 16 tiles from 1024 keys on, where a
     * block's scores would outgrow L2; a multiple of the tile.
     */
    static int queryBlock(int queries, int keys) {
        int most = (keys >= 1024 ? 16 : 32) * JvmMicroKernel.ROWS;
        int blocks = (queries + most - 1) / most;
        int even = (queries + blocks - 1) / blocks;
        return (even + JvmMicroKernel.ROWS - 1) / JvmMicroKernel.ROWS * JvmMicroKernel.ROWS;
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][0]);

    private JvmAttentionKernels() {
    }

    public static WorkerGrid grid(int batch, int queries, int keys, int heads) {
        int block = queryBlock(queries, keys);
        return Grids.grid2D((queries + block - 1) / block, batch * heads, 1, 1);
    }

    /** Same arguments and layout as {@code AttentionKernels.attentionSeparate}. */
    public static void attention(KernelContext ctx, FloatArray q, FloatArray kv, FloatArray out, int batch, int queries, int keys, int heads,
            int headDim, int qStride, int qOffset, int kvStride, int kOffset, int vOffset, float scale) {
        int block = queryBlock(queries, keys);
        int i0 = ctx.globalIdx * block;
        int bh = ctx.globalIdy;
        int b = bh / heads;
        int h = bh - b * heads;
        int n = Math.min(block, queries - i0);
        if (n <= 0) {
            return;
        }
        int width = JvmMicroKernel.width();
        int rowTile = JvmMicroKernel.ROWS;
        int tiles = (n + rowTile - 1) / rowTile;
        int keyPanels = (keys + width - 1) / width;
        int ldS = keyPanels * width;
        int dimPanels = (headDim + width - 1) / width;
        int ldO = dimPanels * width;
        float[][] scratch = SCRATCH.get();
        float[] qa = grow(scratch, 0, tiles * rowTile * headDim);
        float[] kT = grow(scratch, 1, ldS * headDim);
        float[] s = grow(scratch, 2, tiles * rowTile * ldS);
        float[] vp = grow(scratch, 3, ldO * keys);
        float[] o = grow(scratch, 4, tiles * rowTile * ldO);
        MemorySegment qs = q.getSegment();
        MemorySegment ks = kv.getSegment();
        MemorySegment os = out.getSegment();
        long kBase = (long) b * keys * kvStride + kOffset + (long) h * headDim;
        long vBase = (long) b * keys * kvStride + vOffset + (long) h * headDim;
        long qBase = (long) (b * queries + i0) * qStride + qOffset + (long) h * headDim;

        // A of S: qa[i][d] = scale q_i[d]; rows past n are zeros (computed, never stored).
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < headDim; d++) {
                qa[i * headDim + d] = scale * qs.getAtIndex(ValueLayout.JAVA_FLOAT, qBase + (long) i * qStride + d);
            }
        }
        Arrays.fill(qa, n * headDim, tiles * rowTile * headDim, 0f);
        // B of S: kT panel p, row d = keys [p * width, (p + 1) * width) at channel d; keys past the end are zeros.
        for (int p = 0; p < keyPanels; p++) {
            for (int jj = 0; jj < width; jj++) {
                int j = p * width + jj;
                for (int d = 0; d < headDim; d++) {
                    kT[(p * headDim + d) * width + jj] = j < keys ? ks.getAtIndex(ValueLayout.JAVA_FLOAT, kBase + (long) j * kvStride + d) : 0f;
                }
            }
        }
        // B of O: vp panel p, row j = v_j's channels [p * width, (p + 1) * width); channels past the end are zeros.
        for (int p = 0; p < dimPanels; p++) {
            int count = Math.min(width, headDim - p * width);
            for (int j = 0; j < keys; j++) {
                int at = (p * keys + j) * width;
                MemorySegment.copy(ks, ValueLayout.JAVA_FLOAT, (vBase + (long) j * kvStride + p * width) * Float.BYTES, vp, at, count);
                Arrays.fill(vp, at + count, at + width, 0f);
            }
        }
        // S = (scale Q) K^T, one register tile at a time.
        for (int p = 0; p < keyPanels; p++) {
            for (int t = 0; t < tiles; t++) {
                JvmMicroKernel.tile(qa, t * rowTile * headDim, headDim, kT, p * headDim * width, headDim, s, t * rowTile * ldS + p * width, ldS, true);
            }
        }
        // P = exp(S - row max), 0 past the last key; sum[i] the denominators.
        float[] sum = new float[tiles * rowTile];
        softmaxRows(s, n, ldS, keys, sum);
        // O = P V over chunks of keys.
        for (int k0 = 0; k0 < keys; k0 += DEPTH) {
            int depth = Math.min(DEPTH, keys - k0);
            for (int p = 0; p < dimPanels; p++) {
                for (int t = 0; t < tiles; t++) {
                    JvmMicroKernel.tile(s, t * rowTile * ldS + k0, ldS, vp, (p * keys + k0) * width, depth, o, t * rowTile * ldO + p * width, ldO,
                            k0 == 0);
                }
            }
        }
        // out_i = O_i / sum_i.
        int lanes = JvmTiles.S.length();
        long oBase = (long) (b * queries + i0) * heads * headDim + (long) h * headDim;
        for (int i = 0; i < n; i++) {
            float inv = 1.0f / sum[i];
            long row = (oBase + (long) i * heads * headDim) * Float.BYTES;
            for (int d = 0; d < headDim; d += lanes) {
                VectorMask<Float> m = JvmTiles.S.indexInRange(d, headDim);
                FloatVector.fromArray(JvmTiles.S, o, i * ldO + d).mul(inv).intoMemorySegment(os, row + (long) d * Float.BYTES, JvmTiles.ORDER, m);
            }
        }
    }

    private static float[] grow(float[][] scratch, int which, int size) {
        if (scratch[which].length < size) {
            scratch[which] = new float[size];
        }
        return scratch[which];
    }

    /** Rows {@code i < n} of {@code s} ({@code padded} wide) become exp(s - max) over {@code j < keys}, 0 beyond; sum[i] their totals. */
    static void softmaxRows(float[] s, int n, int padded, int keys, float[] sum) {
        int lanes = JvmTiles.S.length();
        for (int i = 0; i < n; i++) {
            int row = i * padded;
            FloatVector mx = FloatVector.broadcast(JvmTiles.S, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < padded; j += lanes) {
                mx = mx.lanewise(VectorOperators.MAX, FloatVector.fromArray(JvmTiles.S, s, row + j), JvmTiles.S.indexInRange(j, keys));
            }
            float max = mx.reduceLanes(VectorOperators.MAX);
            FloatVector total = FloatVector.zero(JvmTiles.S);
            for (int j = 0; j < padded; j += lanes) {
                VectorMask<Float> m = JvmTiles.S.indexInRange(j, keys);
                FloatVector p = FloatVector.fromArray(JvmTiles.S, s, row + j).sub(max).lanewise(VectorOperators.EXP).blend(0f, m.not());
                p.intoArray(s, row + j);
                total = total.add(p);
            }
            sum[i] = total.reduceLanes(VectorOperators.ADD);
        }
    }
}
