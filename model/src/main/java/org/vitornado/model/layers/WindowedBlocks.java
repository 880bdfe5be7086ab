package org.vitornado.model.layers;

import java.util.Set;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.WindowAttention;
import org.vitornado.runtime.tensor.FeatureMap;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The block stack shared by timm's SAM encoder and detectron2's ViTDet backbone, on a channels-last token map:
 * {@link TransformerBlock}s whose attention stays within windows (except in the global blocks), with decomposed
 * relative position; parameter names as both upstreams have them ({@code <prefix>blocks.N.attn.rel_pos_h}, ...).
 * detectron2's residual blocks add, after the MLP,
 * {@code x += norm3(conv3(gelu(norm2(conv2_3x3(gelu(norm1(conv1(x))))))))} with bias-free convs through
 * {@code embed/2} channels and channel LayerNorms (eps 1e-6), which on channels-last data are row LayerNorms.
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

    /** detectron2's channels-first LayerNorm ({@code get_norm("LN")}). */
    static final float CHANNEL_NORM_EPS = 1e-6f;

    private WindowedBlocks() {
    }

    /** Adds every block, a plan section each, updating the map {@code x} in place. */
    public static void add(PlanBuilder g, Tensors t, String prefix, Shape s, FeatureMap x) {
        int e = s.embed();
        TransformerBlock.Scratch scratch = TransformerBlock.Scratch.allocate(x.batch(), x.height() * x.width(), e, s.mlpHidden());
        Bottleneck bottleneck = s.residualBlocks().isEmpty() ? null : new Bottleneck(x, e / 2);
        for (int i = 0; i < s.depth(); i++) {
            String name = prefix + "blocks." + i + ".";
            String task = "blocks." + i + ".";
            boolean global = s.globalBlocks().contains(i) || s.window() <= 0;
            int windowH = global ? x.height() : s.window();
            int windowW = global ? x.width() : s.window();
            BlockWeights b = BlockWeights.load(t, name, e, s.mlpHidden(), s.qkvBias(), true, s.eps());
            WindowAttention attention = new WindowAttention(s.heads(), windowH, windowW, b.qkv().bias(),
                    relPosTable(t, s, name + "attn.rel_pos_h", windowH), relPosTable(t, s, name + "attn.rel_pos_w", windowW), s.relPos());
            g.section("blocks." + i);
            TransformerBlock.add(g, task, b, x.tokens(), scratch, (plan, taskName, qkv, out) -> plan.windowAttention(taskName,
                    qkv.asMap(x.height(), x.width()), attention, out.asMap(x.height(), x.width())));
            if (s.residualBlocks().contains(i)) {
                bottleneck.add(g, t, name + "residual.", task + "residual.", x, scratch.h().asMap(x.height(), x.width()));
            }
        }
    }

    /** Scratch maps of the conv propagation blocks, shared by all of them. */
    private record Bottleneck(FeatureMap a, FeatureMap b) {
        Bottleneck(FeatureMap x, int channels) {
            this(FeatureMap.allocate(x.batch(), x.height(), x.width(), channels), FeatureMap.allocate(x.batch(), x.height(), x.width(), channels));
        }

        /** {@code x += norm3(conv3(...))}; {@code out} (the embed-wide scratch) holds the branch before it is added. */
        void add(PlanBuilder g, Tensors t, String p, String task, FeatureMap x, FeatureMap out) {
            int e = x.channels();
            int n = a.channels();
            Conv2d conv1 = Conv2d.same(t.load(p + "conv1.weight", n, e, 1, 1), new FloatArray(n), e, n, 1);
            Conv2d conv2 = Conv2d.same(t.load(p + "conv2.weight", n, n, 3, 3), new FloatArray(n), n, n, 3);
            Conv2d conv3 = Conv2d.same(t.load(p + "conv3.weight", e, n, 1, 1), new FloatArray(e), n, e, 1);
            LayerNorm norm1 = BlockWeights.norm(t, p + "norm1", n, CHANNEL_NORM_EPS);
            LayerNorm norm2 = BlockWeights.norm(t, p + "norm2", n, CHANNEL_NORM_EPS);
            LayerNorm norm3 = BlockWeights.norm(t, p + "norm3", e, CHANNEL_NORM_EPS);
            g.conv2d(task + "conv1", x, conv1, a)
                    .layerNorm(task + "norm1", a.tokens(), norm1, a.tokens())
                    .gelu(task + "act1", a.data())
                    .conv2d(task + "conv2", a, conv2, b)
                    .layerNorm(task + "norm2", b.tokens(), norm2, b.tokens())
                    .gelu(task + "act2", b.data())
                    .conv2d(task + "conv3", b, conv3, out)
                    .layerNorm(task + "norm3", out.tokens(), norm3, out.tokens())
                    .add(task + "add", x.data(), out.data());
        }
    }

    /** A block's rel-pos table at {@code 2 size - 1} rows (resized once on the host), or a stand-in without rel-pos. */
    private static FloatArray relPosTable(Tensors t, Shape s, String name, int size) {
        if (!s.relPos()) {
            return new FloatArray(1);
        }
        FloatArray stored = t.load(name, t.shape(name)[0], s.headDim());
        if (t.placeholder()) {
            return new FloatArray(1);
        }
        return FloatArray.fromArray(RelativePosition.forSize(stored.toHeapArray(), s.headDim(), size));
    }
}
