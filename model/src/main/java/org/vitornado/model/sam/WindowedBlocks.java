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
 * ({@code <prefix>blocks.N.attn.rel_pos_h}, ...).
 */
public final class WindowedBlocks {

    /** Block geometry and hyper-parameters. */
    public record Shape(int embed, int heads, int mlpHidden, int depth, int window, Set<Integer> globalBlocks, boolean qkvBias,
            boolean relPos, float eps) {
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
        }
    }

    /** A block's rel-pos table at {@code 2 size - 1} rows (resized once on the host), or a stand-in without rel-pos. */
    private static FloatArray relPosTable(Tensors t, Shape s, String name, int size) {
        if (!s.relPos()) {
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
