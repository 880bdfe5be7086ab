package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;

import org.vitornado.kernels.Grids;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Multi-head attention for the JVM backend only, the maths of {@code AttentionKernels.attentionSeparate}
 * ({@code out_i = sum_j softmax_j(scale q_i . k_j) v_j} per head) as GEMMs: a work-item gathers one head's keys and
 * values into a {@link JvmAttentionBlock} once, then for each of its blocks of queries runs the block's three steps
 * (transposed scores, column softmax, weighted values).
 *
 * <p>Grid 2D: x = part of the head's blocks of {@link #queryBlock} queries ({@link #partsPerHead}), y = b * heads + h;
 * local 1 x 1.
 */
public final class JvmAttentionKernels {

    private JvmAttentionKernels() {
    }

    /**
     * Queries per block: below 1024 keys, the queries split evenly into blocks of at most 32 register tiles (a ViT head
     * in two blocks); from 1024 keys on, one panel of queries ({@link JvmMicroKernel#width()}), so that a block's scores
     * ({@code keys x 64}, 1 MB at ViTDet's 4,096 keys) stay in L2 through the softmax and {@code P V} (128 queries: 20%
     * slower).
     */
    static int queryBlock(int queries, int keys) {
        if (keys >= 1024) {
            return JvmMicroKernel.width();
        }
        int most = 32 * JvmMicroKernel.ROWS;
        int blocks = (queries + most - 1) / most;
        int even = (queries + blocks - 1) / blocks;
        return (even + JvmMicroKernel.ROWS - 1) / JvmMicroKernel.ROWS * JvmMicroKernel.ROWS;
    }

    /**
     * Work-items per head: one (its keys and values gathered once for all its blocks of queries), or as many as it takes
     * to give the cores 16 work-items when there are fewer heads (SegFormer's first stage has one), each a run of whole
     * blocks.
     */
    static int partsPerHead(int batchHeads, int queries, int keys) {
        int blocks = (queries + queryBlock(queries, keys) - 1) / queryBlock(queries, keys);
        return Math.max(1, Math.min(blocks, (16 + batchHeads - 1) / batchHeads));
    }

    public static WorkerGrid grid(int batch, int queries, int keys, int heads) {
        return Grids.grid2D(partsPerHead(batch * heads, queries, keys), batch * heads, 1, 1);
    }

    /** Same arguments and layout as {@code AttentionKernels.attentionSeparate}. */
    public static void attention(KernelContext ctx, FloatArray q, FloatArray kv, FloatArray out, int batch, int queries, int keys, int heads,
            int headDim, int qStride, int qOffset, int kvStride, int kOffset, int vOffset, float scale) {
        int block = queryBlock(queries, keys);
        int blocks = (queries + block - 1) / block;
        int parts = partsPerHead(batch * heads, queries, keys);
        int firstBlock = blocks * ctx.globalIdx / parts;
        int endBlock = blocks * (ctx.globalIdx + 1) / parts;
        int b = ctx.globalIdy / heads;
        int h = ctx.globalIdy - b * heads;
        MemorySegment qs = q.getSegment();
        MemorySegment ks = kv.getSegment();
        MemorySegment os = out.getSegment();
        JvmAttentionBlock a = JvmAttentionBlock.of(keys, headDim, block);
        long kvBase = (long) b * keys * kvStride + (long) h * headDim;
        for (int j = 0; j < keys; j++) {
            a.key(j, ks, kvBase + (long) j * kvStride + kOffset);
            a.value(j, ks, kvBase + (long) j * kvStride + vOffset);
        }
        attendBlocks(a, qs, os, b, h, firstBlock, endBlock, block, queries, heads, headDim, qStride, qOffset, scale);
    }

    /**
     * {@code MaskedAttentionKernels.attention} (same arguments and layouts): the head's unmasked keys and their values
     * are gathered into the block and the masked ones left out, which is what -inf before the softmax does; the rest
     * is {@link #attention}. Every key masked: NaN, as PyTorch.
     */
    public static void maskedAttention(KernelContext ctx, FloatArray q, FloatArray k, FloatArray v, FloatArray keyMask, FloatArray out, int batch,
            int queries, int keys, int heads, int headDim, int qStride, int qOffset, int kStride, int kOffset, int vStride, int vOffset, float scale) {
        int b = ctx.globalIdy / heads;
        int h = ctx.globalIdy - b * heads;
        int valid = 0;
        for (int j = 0; j < keys; j++) {
            valid += keyMask.get(b * keys + j) == 0f ? 1 : 0;
        }
        int block = queryBlock(queries, keys);
        int blocks = (queries + block - 1) / block;
        int parts = partsPerHead(batch * heads, queries, keys);
        int firstBlock = blocks * ctx.globalIdx / parts;
        int endBlock = blocks * (ctx.globalIdx + 1) / parts;
        MemorySegment os = out.getSegment();
        if (valid == 0) {
            for (int i = firstBlock * block; i < Math.min(endBlock * block, queries); i++) {
                for (int d = 0; d < headDim; d++) {
                    out.set((b * queries + i) * heads * headDim + h * headDim + d, Float.NaN);
                }
            }
            return;
        }
        MemorySegment qs = q.getSegment();
        MemorySegment ks = k.getSegment();
        MemorySegment vs = v.getSegment();
        JvmAttentionBlock a = JvmAttentionBlock.of(valid, headDim, block);
        int at = 0;
        for (int j = 0; j < keys; j++) {
            if (keyMask.get(b * keys + j) == 0f) {
                a.key(at, ks, (long) (b * keys + j) * kStride + kOffset + (long) h * headDim);
                a.value(at, vs, (long) (b * keys + j) * vStride + vOffset + (long) h * headDim);
                at++;
            }
        }
        attendBlocks(a, qs, os, b, h, firstBlock, endBlock, block, queries, heads, headDim, qStride, qOffset, scale);
    }

    /** Blocks {@code [firstBlock, endBlock)} of image b's queries for head h against the keys and values in {@code a}. */
    private static void attendBlocks(JvmAttentionBlock a, MemorySegment qs, MemorySegment os, int b, int h, int firstBlock, int endBlock, int block,
            int queries, int heads, int headDim, int qStride, int qOffset, float scale) {
        for (int blk = firstBlock; blk < endBlock; blk++) {
            int i0 = blk * block;
            int n = Math.min(block, queries - i0);
            a.queries(n);
            long qBase = (long) (b * queries + i0) * qStride + qOffset + (long) h * headDim;
            for (int i = 0; i < n; i++) {
                a.query(i, qs, qBase + (long) i * qStride, scale);
            }
            a.scores();
            a.softmax();
            a.weightedValues();
            long oBase = (long) (b * queries + i0) * heads * headDim + (long) h * headDim;
            for (int i = 0; i < n; i++) {
                a.store(i, os, oBase + (long) i * heads * headDim);
            }
        }
    }
}
