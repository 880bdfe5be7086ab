package org.vitornado.runtime.ops;

import java.util.ArrayList;
import java.util.List;

import org.vitornado.kernels.AttentionKernels;
import org.vitornado.kernels.FlashAttentionKernels;
import org.vitornado.kernels.FlashWindowAttentionKernels;
import org.vitornado.kernels.MaskedAttentionKernels;
import org.vitornado.kernels.WindowAttentionKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.jvm.JvmAttentionKernels;
import org.vitornado.runtime.jvm.JvmWindowAttentionKernels;
import org.vitornado.runtime.nn.WindowAttention;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.HeadSlice;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Multi-head attention, {@code out_i = sum_j softmax_j(q_i . k_j / sqrt(headDim)) v_j} per head, with an online
 * softmax (no tokens x tokens matrix is stored). Cost: per (query, key, head) pair, {@code 4 headDim} FLOPs for
 * {@code q.k} and {@code p v} and about 5 for the softmax; decomposed rel-pos adds, per query and head,
 * {@code 2 headDim} per window row and column ({@code q.Rh}, {@code q.Rw}) and 2 per pair (adding them).
 */
public final class AttentionOps {

    private AttentionOps() {
    }

    /**
     * Global attention of q over k and v (k and v in one array).
     * <ul>
     * <li>portable, version 1: {@code AttentionKernels.attention} for timm's packed qkv, else {@code attentionSeparate};
     * grid 2D x = query, y = image * heads + head;</li>
     * <li>portable, version 2 (GPUs, heads up to 128 wide): {@code FlashAttentionKernels.attention}, grid 2D x = query in
     * work-groups of 32, y = image * heads + head; keys and values stream through local memory in blocks of 32;</li>
     * <li>JVM: {@code JvmAttentionKernels.attention}, grid 2D x = block of queries, y = image * heads + head.</li>
     * </ul>
     */
    public static Step attention(String name, HeadSlice q, HeadSlice k, HeadSlice v, int heads, Tokens out, Kernels kernels) {
        int channels = out.channels();
        int headDim = channels / heads;
        Tokens qs = q.rows();
        Tokens kv = k.rows();
        if (headDim * heads != channels || kv != v.rows() || qs.batch() != kv.batch() || out.batch() != qs.batch() || out.tokens() != qs.tokens()
                || q.offset() + channels > qs.channels() || Math.max(k.offset(), v.offset()) + channels > kv.channels()) {
            throw new IllegalArgumentException("task " + name + ": attention shapes do not agree (" + heads + " heads into " + channels
                    + " channels; keys and values must share one array)");
        }
        int batch = qs.batch();
        int queries = qs.tokens();
        int keys = kv.tokens();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        long pairs = (long) batch * heads * queries * keys;
        TaskCost cost = TaskCost.of(pairs * (4L * headDim + 5), (long) batch * (queries + 2L * keys) * channels, (long) batch * queries * channels);
        List<Object> reads = qs == kv ? List.of(qs.data()) : List.of(qs.data(), kv.data());
        List<Object> writes = List.of(out.data());
        if (kernels.cpu()) {
            return Step.kernel(name, "JvmAttentionKernels.attention", JvmAttentionKernels.grid(batch, queries, keys, heads), cost, reads, writes,
                    KernelCall.of(JvmAttentionKernels::attention, kernels.context(), qs.data(), kv.data(), out.data(), batch, queries, keys, heads,
                            headDim, qs.channels(), q.offset(), kv.channels(), k.offset(), v.offset(), scale));
        }
        if (kernels.gpuVersions() && headDim <= FlashAttentionKernels.MAX_HEAD_DIM) {
            return Step.kernel(name, "FlashAttentionKernels.attention", FlashAttentionKernels.grid(batch, queries, heads), cost, reads, writes,
                    KernelCall.of(FlashAttentionKernels::attention, kernels.context(), qs.data(), kv.data(), out.data(), batch, queries, keys, heads,
                            headDim, qs.channels(), q.offset(), kv.channels(), k.offset(), v.offset(), scale));
        }
        boolean packed = qs == kv && q.offset() == 0 && k.offset() == channels && v.offset() == 2 * channels && qs.channels() == 3 * channels;
        if (packed) {
            return Step.kernel(name, "AttentionKernels.attention", AttentionKernels.grid(batch, queries, heads), cost, reads, writes,
                    KernelCall.of(AttentionKernels::attention, kernels.context(), qs.data(), out.data(), batch, queries, heads, headDim, scale));
        }
        return Step.kernel(name, "AttentionKernels.attentionSeparate", AttentionKernels.separateGrid(batch, queries, heads), cost, reads, writes,
                KernelCall.of(AttentionKernels::attentionSeparate, kernels.context(), qs.data(), kv.data(), out.data(), batch, queries, keys, heads,
                        headDim, qs.channels(), q.offset(), kv.channels(), k.offset(), v.offset(), scale));
    }

    /**
     * Attention of q over k and v (three arrays, each with its own row stride and offset) with a key padding mask,
     * {@code keyMask [batch, keys]}, 1 = padding, as {@code nn.MultiheadAttention(key_padding_mask)} (DETR).
     * <ul>
     * <li>portable: {@code MaskedAttentionKernels.attention}, grid 2D x = query, y = image * heads + head;</li>
     * <li>JVM: {@code JvmAttentionKernels.maskedAttention}, grid 2D x = block of queries, y = image * heads + head,
     * only the unmasked keys gathered.</li>
     * </ul>
     */
    public static Step maskedAttention(String name, HeadSlice q, HeadSlice k, HeadSlice v, FloatArray keyMask, int heads, Tokens out,
            Kernels kernels) {
        int channels = out.channels();
        int headDim = channels / heads;
        Tokens qs = q.rows();
        Tokens ks = k.rows();
        Tokens vs = v.rows();
        if (headDim * heads != channels || ks.tokens() != vs.tokens() || ks.batch() != qs.batch() || vs.batch() != qs.batch() || out.batch() != qs.batch()
                || out.tokens() != qs.tokens() || q.offset() + channels > qs.channels() || k.offset() + channels > ks.channels()
                || v.offset() + channels > vs.channels() || keyMask.getSize() != ks.batch() * ks.tokens()) {
            throw new IllegalArgumentException("task " + name + ": masked attention shapes do not agree (" + heads + " heads into " + channels
                    + " channels, a mask of " + keyMask.getSize() + " keys)");
        }
        int batch = qs.batch();
        int queries = qs.tokens();
        int keys = ks.tokens();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        long pairs = (long) batch * heads * queries * keys;
        TaskCost cost = TaskCost.of(pairs * (4L * headDim + 5), (long) batch * (queries + 2L * keys) * channels + keyMask.getSize(),
                (long) batch * queries * channels);
        List<Object> reads = new ArrayList<>();
        for (Object a : new Object[] {qs.data(), ks.data(), vs.data(), keyMask}) {
            if (!reads.contains(a)) {
                reads.add(a);
            }
        }
        List<Object> writes = List.of(out.data());
        if (kernels.cpu()) {
            return Step.kernel(name, "JvmAttentionKernels.maskedAttention", JvmAttentionKernels.grid(batch, queries, keys, heads), cost, reads, writes,
                    KernelCall.of(JvmAttentionKernels::maskedAttention, kernels.context(), qs.data(), ks.data(), vs.data(), keyMask, out.data(), batch,
                            queries, keys, heads, headDim, qs.channels(), q.offset(), ks.channels(), k.offset(), vs.channels(), v.offset(), scale));
        }
        return Step.kernel(name, "MaskedAttentionKernels.attention", MaskedAttentionKernels.grid(batch, queries, heads), cost, reads, writes,
                KernelCall.of(MaskedAttentionKernels::attention, kernels.context(), qs.data(), ks.data(), vs.data(), keyMask, out.data(), batch, queries,
                        keys, heads, headDim, qs.channels(), q.offset(), ks.channels(), k.offset(), vs.channels(), v.offset(), scale));
    }

    /**
     * Attention within windows of a channels-last map from its packed qkv (SAM, ViTDet), with decomposed rel-pos.
     * <ul>
     * <li>portable, version 1: {@code WindowAttentionKernels.windowAttention}, grid 2D x = position, y = head;</li>
     * <li>portable, version 2 (GPUs; heads up to 128 wide, windows up to 64 on a side):
     * {@code FlashWindowAttentionKernels.windowAttention}, grid 2D x = window-local position in work-groups of 32,
     * windows one after another, y = head; keys and values stream through local memory in blocks of 32;</li>
     * <li>JVM: {@code JvmWindowAttentionKernels.windowAttention}, grid 2D x = block of a window's positions,
     * y = (image * windows + window) * heads + head.</li>
     * </ul>
     * Every window has {@code windowH x windowW} keys, padded ones included (they are attended, as upstream).
     */
    public static Step windowAttention(String name, FeatureMap qkv, WindowAttention p, FeatureMap out, Kernels kernels) {
        int channels = out.channels();
        int heads = p.heads();
        int headDim = channels / heads;
        if (headDim * heads != channels || qkv.channels() != 3 * channels || qkv.batch() != out.batch() || qkv.height() != out.height()
                || qkv.width() != out.width()) {
            throw new IllegalArgumentException("task " + name + ": window attention shapes do not agree");
        }
        int batch = out.batch();
        int height = out.height();
        int width = out.width();
        long tokens = out.rows();
        long pairs = tokens * heads * p.windowH() * p.windowW();
        long relPosFlops = p.relPos() ? tokens * heads * (p.windowH() + p.windowW()) * 2L * headDim + 2 * pairs : 0;
        TaskCost cost = TaskCost.of(pairs * (4L * headDim + 5) + relPosFlops, tokens * 3 * channels, tokens * channels);
        List<Object> reads = new ArrayList<>(List.of(qkv.data(), p.qkvBias(), p.relPosH(), p.relPosW()));
        List<Object> writes = List.of(out.data());
        int relPos = p.relPos() ? 1 : 0;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        if (kernels.cpu()) {
            return Step.kernel(name, "JvmWindowAttentionKernels.windowAttention",
                    JvmWindowAttentionKernels.grid(batch, height, width, heads, p.windowH(), p.windowW()), cost, reads, writes,
                    KernelCall.of(JvmWindowAttentionKernels::windowAttention, kernels.context(), qkv.data(), p.qkvBias(), p.relPosH(), p.relPosW(),
                            out.data(), batch, height, width, heads, headDim, p.windowH(), p.windowW(), relPos, scale));
        }
        if (kernels.gpuVersions() && FlashWindowAttentionKernels.takes(headDim, p.windowH(), p.windowW())) {
            return Step.kernel(name, "FlashWindowAttentionKernels.windowAttention",
                    FlashWindowAttentionKernels.grid(batch, height, width, heads, p.windowH(), p.windowW()), cost, reads, writes,
                    KernelCall.of(FlashWindowAttentionKernels::windowAttention, kernels.context(), qkv.data(), p.qkvBias(), p.relPosH(), p.relPosW(),
                            out.data(), batch, height, width, heads, headDim, p.windowH(), p.windowW(), relPos, scale));
        }
        return Step.kernel(name, "WindowAttentionKernels.windowAttention", WindowAttentionKernels.grid(batch, height, width, heads), cost, reads,
                writes, KernelCall.of(WindowAttentionKernels::windowAttention, kernels.context(), qkv.data(), p.qkvBias(), p.relPosH(), p.relPosW(),
                        out.data(), batch, height, width, heads, headDim, p.windowH(), p.windowW(), relPos, scale));
    }
}
