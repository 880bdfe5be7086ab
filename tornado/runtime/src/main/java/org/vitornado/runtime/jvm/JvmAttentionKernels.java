package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Multi-head attention for the JVM backend only, the maths of {@code AttentionKernels.attentionSeparate}
 * ({@code out_i = sum_j softmax_j(scale q_i . k_j) v_j} per head) arranged for a CPU. A work-item takes
 * a block of queries of one head ({@link #queryBlock}):
 * <ol>
 * <li>copies the head's keys transposed ({@code kT[d][j]}), so that scores come out a SIMD vector of keys at a time:
 * {@code s[i][j..j+L) += q[i][d] * kT[d][j..j+L)} (no horizontal sums);</li>
 * <li>exponentiates each score row in place with vector {@code exp} (a row per query is small on a CPU);</li>
 * <li>accumulates {@code p v} four queries at a time, a vector of the head's channels per FMA.</li>
 * </ol>
 * Scratch arrays are per thread and reused.
 *
 * <p>Grid 2D: x = block of {@link #queryBlock} queries, y = b * heads + h; local 1 x 1.
 */
public final class JvmAttentionKernels {

    /**
     * Queries per work-item: 32, or 128 past 1024 keys, where copying the keys transposed would otherwise cost as
     * much as the scores.
     */
    static int queryBlock(int keys) {
        return keys >= 1024 ? 128 : 32;
    }

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[][] {new float[0], new float[0]});

    private JvmAttentionKernels() {
    }

    public static WorkerGrid grid(int batch, int queries, int keys, int heads) {
        int block = queryBlock(keys);
        return Grids.grid2D((queries + block - 1) / block, batch * heads, 1, 1);
    }

    /** Same arguments and layout as {@code AttentionKernels.attentionSeparate}. */
    public static void attention(KernelContext ctx, FloatArray q, FloatArray kv, FloatArray out, int batch, int queries, int keys, int heads,
            int headDim, int qStride, int qOffset, int kvStride, int kOffset, int vOffset, float scale) {
        int block = queryBlock(keys);
        int i0 = ctx.globalIdx * block;
        int bh = ctx.globalIdy;
        int b = bh / heads;
        int h = bh - b * heads;
        int n = Math.min(block, queries - i0);
        if (n <= 0) {
            return;
        }
        int lanes = JvmTiles.S.length();
        int padded = (keys + lanes - 1) / lanes * lanes;
        float[][] scratch = SCRATCH.get();
        if (scratch[0].length < headDim * padded) {
            scratch[0] = new float[headDim * padded];
        }
        if (scratch[1].length < block * padded) {
            scratch[1] = new float[block * padded];
        }
        float[] kT = scratch[0];
        float[] s = scratch[1];
        MemorySegment qs = q.getSegment();
        MemorySegment ks = kv.getSegment();
        MemorySegment os = out.getSegment();
        long kBase = (long) b * keys * kvStride + kOffset + (long) h * headDim;
        long vBase = ((long) b * keys * kvStride + vOffset + (long) h * headDim) * Float.BYTES;
        long qBase = (long) (b * queries + i0) * qStride + qOffset + (long) h * headDim;

        // 1. kT[d][j] = k_j[d]; padded keys are zero (their scores are dropped below).
        for (int j = 0; j < padded; j++) {
            for (int d = 0; d < headDim; d++) {
                kT[d * padded + j] = j < keys ? ks.getAtIndex(ValueLayout.JAVA_FLOAT, kBase + (long) j * kvStride + d) : 0f;
            }
        }
        // 2. Scores, four queries x one vector of keys per step: s[i][j] = scale q_i . k_j.
        for (int i = 0; i < n; i += 4) {
            long qa = qBase + (long) i * qStride;
            long qb = qBase + (long) Math.min(i + 1, n - 1) * qStride;
            long qc = qBase + (long) Math.min(i + 2, n - 1) * qStride;
            long qd = qBase + (long) Math.min(i + 3, n - 1) * qStride;
            for (int j = 0; j < padded; j += lanes) {
                FloatVector c0 = FloatVector.zero(JvmTiles.S);
                FloatVector c1 = FloatVector.zero(JvmTiles.S);
                FloatVector c2 = FloatVector.zero(JvmTiles.S);
                FloatVector c3 = FloatVector.zero(JvmTiles.S);
                for (int d = 0; d < headDim; d++) {
                    FloatVector k = FloatVector.fromArray(JvmTiles.S, kT, d * padded + j);
                    c0 = k.fma(FloatVector.broadcast(JvmTiles.S, qs.getAtIndex(ValueLayout.JAVA_FLOAT, qa + d)), c0);
                    c1 = k.fma(FloatVector.broadcast(JvmTiles.S, qs.getAtIndex(ValueLayout.JAVA_FLOAT, qb + d)), c1);
                    c2 = k.fma(FloatVector.broadcast(JvmTiles.S, qs.getAtIndex(ValueLayout.JAVA_FLOAT, qc + d)), c2);
                    c3 = k.fma(FloatVector.broadcast(JvmTiles.S, qs.getAtIndex(ValueLayout.JAVA_FLOAT, qd + d)), c3);
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
        // 3. Softmax numerators in place (padded keys to 0); denominators kept for the end.
        float[] sum = new float[block];
        softmaxRows(s, n, padded, keys, sum);
        // 4. out_i = sum_j p_ij v_j / sum_i: four queries share each loaded slice of v.
        long oRow = (long) heads * headDim * Float.BYTES;
        long oBase = ((long) (b * queries + i0) * heads * headDim + (long) h * headDim) * Float.BYTES;
        long vRow = (long) kvStride * Float.BYTES;
        for (int d = 0; d < headDim; d += lanes) {
            VectorMask<Float> m = JvmTiles.S.indexInRange(d, headDim);
            long dOff = (long) d * Float.BYTES;
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
                    FloatVector v = FloatVector.fromMemorySegment(JvmTiles.S, ks, vBase + j * vRow + dOff, JvmTiles.ORDER, m);
                    c0 = v.fma(FloatVector.broadcast(JvmTiles.S, s[r0 + j]), c0);
                    c1 = v.fma(FloatVector.broadcast(JvmTiles.S, s[r1 + j]), c1);
                    c2 = v.fma(FloatVector.broadcast(JvmTiles.S, s[r2 + j]), c2);
                    c3 = v.fma(FloatVector.broadcast(JvmTiles.S, s[r3 + j]), c3);
                }
                // Stored one by one: vectors kept in an array would be boxed on the heap.
                c0.mul(1.0f / sum[i]).intoMemorySegment(os, oBase + i * oRow + dOff, JvmTiles.ORDER, m);
                if (i + 1 < n) {
                    c1.mul(1.0f / sum[i + 1]).intoMemorySegment(os, oBase + (i + 1) * oRow + dOff, JvmTiles.ORDER, m);
                }
                if (i + 2 < n) {
                    c2.mul(1.0f / sum[i + 2]).intoMemorySegment(os, oBase + (i + 2) * oRow + dOff, JvmTiles.ORDER, m);
                }
                if (i + 3 < n) {
                    c3.mul(1.0f / sum[i + 3]).intoMemorySegment(os, oBase + (i + 3) * oRow + dOff, JvmTiles.ORDER, m);
                }
            }
        }
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
