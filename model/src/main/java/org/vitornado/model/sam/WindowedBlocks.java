package org.vitornado.model.sam;

import java.util.List;
import java.util.Set;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.GraphBuilder;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The transformer blocks shared by timm's SAM encoder and detectron2's ViTDet backbone: on an NHWC token map,
 * {@code x += proj(windowAttention(qkv(norm1(x)))); x += fc2(gelu(fc1(norm2(x))))}, attention within windows
 * except in the global blocks, with decomposed relative position. Parameter names follow both upstreams
 * ({@code <prefix>blocks.N.attn.rel_pos_h}, ...). detectron2's residual blocks add, after the MLP,
 * {@code x += norm3(conv3(gelu(norm2(conv2_3x3(gelu(norm1(conv1(x))))))))} with bias-free convs through
 * {@code embed/2} channels and channel LayerNorms (eps 1e-6); on NHWC data those norms are row LayerNorms.
 */
public final class WindowedBlocks {

    /**
     * Block geometry and hyper-parameters.
     *
     * @param residualBlocks blocks followed by detectron2's conv propagation block (ResBottleneckBlock)
     */
    public record Shape(int embed, int heads, int mlpHidden, int depth, int window, Set<Integer> globalBlocks, boolean qkvBias,
            boolean relPos, float eps, Set<Integer> residualBlocks) {
        int headDim() {
            return embed / heads;
        }
    }

    private WindowedBlocks() {
    }

    /** Adds every block to {@code g}, updating {@code x} in place; the parameters they read are added to {@code weights}. */
    public static void add(GraphBuilder g, Tensors t, String prefix, Shape s, FloatArray x, int batch, int gridH, int gridW, List<Object> weights) {
        int e = s.embed();
        int rows = batch * gridH * gridW;
        FloatArray h = new FloatArray(rows * e);
        FloatArray qkv = new FloatArray(rows * 3 * e);
        FloatArray attn = new FloatArray(rows * e);
        FloatArray mlp = new FloatArray(rows * s.mlpHidden());
        float scale = (float) (1.0 / Math.sqrt(s.headDim()));
        Bottleneck bottleneck = s.residualBlocks().isEmpty() ? null : new Bottleneck(rows, e / 2);
        for (int i = 0; i < s.depth(); i++) {
            String p = prefix + "blocks." + i + ".";
            boolean global = s.globalBlocks().contains(i) || s.window() <= 0;
            int windowH = global ? gridH : s.window();
            int windowW = global ? gridW : s.window();
            FloatArray norm1W = t.load(p + "norm1.weight", e);
            FloatArray norm1B = t.load(p + "norm1.bias", e);
            FloatArray qkvW = t.load(p + "attn.qkv.weight", 3L * e, e);
            FloatArray qkvB = s.qkvBias() ? t.load(p + "attn.qkv.bias", 3L * e) : new FloatArray(3 * e);
            FloatArray relH = relPosTable(t, s, p + "attn.rel_pos_h", windowH);
            FloatArray relW = relPosTable(t, s, p + "attn.rel_pos_w", windowW);
            FloatArray projW = t.load(p + "attn.proj.weight", e, e);
            FloatArray projB = t.load(p + "attn.proj.bias", e);
            FloatArray norm2W = t.load(p + "norm2.weight", e);
            FloatArray norm2B = t.load(p + "norm2.bias", e);
            FloatArray fc1W = t.load(p + "mlp.fc1.weight", s.mlpHidden(), e);
            FloatArray fc1B = t.load(p + "mlp.fc1.bias", s.mlpHidden());
            FloatArray fc2W = t.load(p + "mlp.fc2.weight", e, s.mlpHidden());
            FloatArray fc2B = t.load(p + "mlp.fc2.bias", e);
            weights.addAll(List.of(norm1W, norm1B, qkvW, qkvB, relH, relW, projW, projB, norm2W, norm2B, fc1W, fc1B, fc2W, fc2B));
            String task = p.substring(prefix.length());
            g.layerNorm(task + "norm1", x, norm1W, norm1B, h, rows, e, s.eps())
                    .linear(task + "attn.qkv", h, qkvW, qkvB, qkv, rows, e, 3 * e)
                    .windowAttention(task + "attn", qkv, qkvB, relH, relW, attn, batch, gridH, gridW, s.heads(), s.headDim(),
                            windowH, windowW, s.relPos() ? 1 : 0, scale)
                    .linearResidual(task + "attn.proj", attn, projW, projB, x, rows, e, e)
                    .layerNorm(task + "norm2", x, norm2W, norm2B, h, rows, e, s.eps())
                    .linearGelu(task + "mlp.fc1", h, fc1W, fc1B, mlp, rows, e, s.mlpHidden())
                    .linearResidual(task + "mlp.fc2", mlp, fc2W, fc2B, x, rows, s.mlpHidden(), e);
            if (s.residualBlocks().contains(i)) {
                bottleneck.add(g, t, p + "residual.", task + "residual.", x, batch, gridH, gridW, e, h, weights);
            }
        }
    }

    /** Scratch maps of the conv propagation blocks, shared by all of them. */
    private record Bottleneck(FloatArray a, FloatArray b, int channels) {
        Bottleneck(int rows, int channels) {
            this(new FloatArray(rows * channels), new FloatArray(rows * channels), channels);
        }

        /** {@code x += norm3(conv3(...))}; {@code out} (rows x embed) holds the branch before it is added. */
        void add(GraphBuilder g, Tensors t, String p, String task, FloatArray x, int batch, int gridH, int gridW, int e, FloatArray out,
                List<Object> weights) {
            int rows = batch * gridH * gridW;
            int n = channels;
            FloatArray conv1 = t.load(p + "conv1.weight", n, e, 1, 1);
            FloatArray conv2 = t.load(p + "conv2.weight", n, n, 3, 3);
            FloatArray conv3 = t.load(p + "conv3.weight", e, n, 1, 1);
            FloatArray[] norms = new FloatArray[6];
            for (int k = 0; k < 3; k++) {
                long size = k == 2 ? e : n;
                norms[2 * k] = t.load(p + "norm" + (k + 1) + ".weight", size);
                norms[2 * k + 1] = t.load(p + "norm" + (k + 1) + ".bias", size);
            }
            FloatArray noBiasN = new FloatArray(n);
            FloatArray noBiasE = new FloatArray(e);
            weights.addAll(List.of(conv1, conv2, conv3, noBiasN, noBiasE));
            weights.addAll(List.of(norms));
            g.conv2d(task + "conv1", x, conv1, noBiasN, a, batch, gridH, gridW, e, n, 1, 1, 0, 1, gridH, gridW)
                    .layerNorm(task + "norm1", a, norms[0], norms[1], a, rows, n, CHANNEL_NORM_EPS)
                    .gelu(task + "act1", a, rows * n)
                    .conv2d(task + "conv2", a, conv2, noBiasN, b, batch, gridH, gridW, n, n, 3, 1, 1, 1, gridH, gridW)
                    .layerNorm(task + "norm2", b, norms[2], norms[3], b, rows, n, CHANNEL_NORM_EPS)
                    .gelu(task + "act2", b, rows * n)
                    .conv2d(task + "conv3", b, conv3, noBiasE, out, batch, gridH, gridW, n, e, 1, 1, 0, 1, gridH, gridW)
                    .layerNorm(task + "norm3", out, norms[4], norms[5], out, rows, e, CHANNEL_NORM_EPS)
                    .add(task + "add", x, out, rows * e);
        }
    }

    /** detectron2's channels-first LayerNorm ({@code get_norm("LN")}). */
    static final float CHANNEL_NORM_EPS = 1e-6f;

    /** A block's rel-pos table at {@code 2 size - 1} rows (resized once on the host), or a stand-in without rel-pos. */
    private static FloatArray relPosTable(Tensors t, Shape s, String name, int size) {
        if (!s.relPos() || t.placeholder()) {
            return new FloatArray(1);
        }
        FloatArray stored = t.load(name, t.shape(name)[0], s.headDim());
        return FloatArray.fromArray(RelativePosition.forSize(stored.toHeapArray(), s.headDim(), size));
    }

    /** NHWC {@code [B, H, W, C]} to NCHW, as PyTorch lays feature maps out. */
    public static float[] toNchw(float[] nhwc, int batch, int height, int width, int channels) {
        int hw = height * width;
        float[] nchw = new float[nhwc.length];
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < hw; p++) {
                for (int ch = 0; ch < channels; ch++) {
                    nchw[(b * channels + ch) * hw + p] = nhwc[(b * hw + p) * channels + ch];
                }
            }
        }
        return nchw;
    }
}
