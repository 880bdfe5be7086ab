package org.vitornado.model.segmentation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.vitornado.model.io.Tensors;
import org.vitornado.model.sam.WindowedBlocks;
import org.vitornado.model.vit.VitEncoder;
import org.vitornado.model.vit.VitWeights;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.GraphBuilder;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * SETR's forward as one graph (see {@link SetrConfig}); maps stay channels-last, so every mmcv {@code ConvModule}
 * is one conv kernel (BatchNorm folded into its weights on the host) and a ReLU, and a 1x1 {@code conv_seg} is the
 * linear kernel.
 */
final class SetrPlan extends CompiledSegmenter {

    private final SetrConfig c;
    private final FloatArray logits;
    private final GraphBuilder g;
    private final Tensors t;
    private final List<Object> weights = new ArrayList<>();

    /** A channels-last map on the device. */
    private record Map2d(FloatArray data, int h, int w, int channels) {
    }

    SetrPlan(SetrConfig c, Tensors t, int batch, int height, int width, ExecutionOptions options) {
        super(batch, height, width, batch * c.inChans() * height * width);
        int p = c.vit().patch();
        if (height % p != 0 || width % p != 0) {
            throw new IllegalArgumentException("SETR input " + height + "x" + width + " must be a multiple of the patch size " + p);
        }
        this.c = c;
        this.t = t;
        int gh = height / p;
        int gw = width / p;
        int e = c.vit().embedDim();
        GridScheduler grids = new GridScheduler();
        g = GraphBuilder.forPlan("setr", grids, options);
        List<FloatArray> encoded = VitEncoder.add(g, c.vit(), VitWeights.load(c.vit(), t), image, batch, height, width, weights,
                c.outIndices());
        List<Map2d> outs = new ArrayList<>();
        for (int i = 1; i < encoded.size(); i++) {
            outs.add(new Map2d(encoded.get(i), gh, gw, e));
        }
        Map2d scores = c.head().kind() == SetrConfig.Kind.UP ? upHead(outs.get(c.tap(0))) : mlaHead(mlaNeck(outs));
        logits = new FloatArray(batch * height * width * c.classes());
        g.bilinear("resize", scores.data(), logits, batch, scores.h(), scores.w(), height, width, height, width, c.classes(),
                c.alignCorners(), c.classes(), 0);
        g.weights(weights.toArray()).inputs(image).outputs(logits);
        finish(g, grids, options);
    }

    @Override
    protected int pixelCount() {
        return batch * c.inChans() * height * width;
    }

    /** SETRUPHead: LN, then (ConvModule + bilinear x up) per conv, then conv_seg. */
    private Map2d upHead(Map2d in) {
        SetrConfig.Head h = c.head();
        FloatArray normW = t.load("decode_head.norm.weight", in.channels());
        FloatArray normB = t.load("decode_head.norm.bias", in.channels());
        weights.addAll(List.of(normW, normB));
        FloatArray normed = new FloatArray(in.data().getSize());
        g.layerNorm("decode_head.norm", in.data(), normW, normB, normed, batch * in.h() * in.w(), in.channels(), h.normEps());
        Map2d cur = new Map2d(normed, in.h(), in.w(), in.channels());
        for (int i = 0; i < h.numConvs(); i++) {
            cur = convModule("decode_head.up_convs." + i + ".0", cur, h.channels(), h.kernelSize());
            cur = upsample("decode_head.up_convs." + i + ".1", cur, h.upScale(), null, 0, 0);
        }
        return convSeg(cur);
    }

    /** MLANeck: per level LN + 1x1 ConvModule, top-down sums from the deepest, a 3x3 ConvModule each (deepest first). */
    private List<Map2d> mlaNeck(List<Map2d> levels) {
        SetrConfig.Head h = c.head();
        int n = levels.size();
        List<Map2d> projected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map2d in = levels.get(i);
            FloatArray normW = t.load("neck.norm." + i + ".weight", in.channels());
            FloatArray normB = t.load("neck.norm." + i + ".bias", in.channels());
            weights.addAll(List.of(normW, normB));
            FloatArray normed = new FloatArray(in.data().getSize());
            g.layerNorm("neck.norm." + i, in.data(), normW, normB, normed, batch * in.h() * in.w(), in.channels(), h.neckNormEps());
            projected.add(convModule("neck.mla.channel_proj." + i, new Map2d(normed, in.h(), in.w(), in.channels()), h.neckChannels(), 1));
        }
        List<Map2d> out = new ArrayList<>();
        Map2d running = null;
        for (int k = 0; k < n; k++) {
            Map2d level = projected.get(n - 1 - k);
            if (running != null) {
                g.add("neck.mla.sum." + k, level.data(), running.data(), batch * level.h() * level.w() * level.channels());
            }
            running = level;
            out.add(convModule("neck.mla.feat_extract." + k, running, h.neckChannels(), 3));
        }
        return out;
    }

    /** SETRMLAHead: per input two 3x3 ConvModules and a bilinear x up into its slice of the concatenation, then conv_seg. */
    private Map2d mlaHead(List<Map2d> inputs) {
        SetrConfig.Head h = c.head();
        int n = h.inIndex().length;
        Map2d first = inputs.get(c.tap(0));
        int oh = first.h() * h.upScale();
        int ow = first.w() * h.upScale();
        FloatArray concat = new FloatArray(batch * oh * ow * n * h.mlaChannels());
        for (int j = 0; j < n; j++) {
            Map2d x = inputs.get(c.tap(j));
            x = convModule("decode_head.up_convs." + j + ".0", x, h.mlaChannels(), 3);
            x = convModule("decode_head.up_convs." + j + ".1", x, h.mlaChannels(), 3);
            upsample("decode_head.up_convs." + j + ".2", x, h.upScale(), concat, n * h.mlaChannels(), j * h.mlaChannels());
        }
        return convSeg(new Map2d(concat, oh, ow, n * h.mlaChannels()));
    }

    /** mmcv ConvModule(conv k x k, padding (k - 1) / 2, no bias; BN; ReLU) with the BN folded into the conv. */
    private Map2d convModule(String name, Map2d in, int out, int k) {
        FloatArray w = t.load(name + ".conv.weight", out, in.channels(), k, k);
        FloatArray gamma = t.load(name + ".bn.weight", out);
        FloatArray beta = t.load(name + ".bn.bias", out);
        FloatArray mean = t.load(name + ".bn.running_mean", out);
        FloatArray var = t.load(name + ".bn.running_var", out);
        int taps = in.channels() * k * k;
        FloatArray fw = new FloatArray(out * taps);
        FloatArray fb = new FloatArray(out);
        if (!t.placeholder()) {
            for (int o = 0; o < out; o++) {
                double s = gamma.get(o) / Math.sqrt(var.get(o) + c.bnEps());
                for (int i = 0; i < taps; i++) {
                    fw.set(o * taps + i, (float) (w.get(o * taps + i) * s));
                }
                fb.set(o, (float) (beta.get(o) - mean.get(o) * s));
            }
        }
        weights.addAll(List.of(fw, fb));
        FloatArray y = new FloatArray(batch * in.h() * in.w() * out);
        g.conv2d(name, in.data(), fw, fb, y, batch, in.h(), in.w(), in.channels(), out, k, 1, (k - 1) / 2, 1, in.h(), in.w())
                .relu(name + ".relu", y, batch * in.h() * in.w() * out);
        return new Map2d(y, in.h(), in.w(), out);
    }

    /** Upsample(scale_factor, bilinear, align_corners); into {@code target}'s channel slice when given. */
    private Map2d upsample(String name, Map2d in, int scale, FloatArray target, int stride, int offset) {
        int oh = in.h() * scale;
        int ow = in.w() * scale;
        FloatArray out = target != null ? target : new FloatArray(batch * oh * ow * in.channels());
        g.bilinear(name, in.data(), out, batch, in.h(), in.w(), oh, ow, oh, ow, in.channels(), c.alignCorners(),
                target != null ? stride : in.channels(), offset);
        return new Map2d(out, oh, ow, in.channels());
    }

    /** conv_seg: a 1x1 conv with bias to the classes. */
    private Map2d convSeg(Map2d in) {
        FloatArray w = t.load("decode_head.conv_seg.weight", c.classes(), in.channels(), 1, 1);
        FloatArray b = t.load("decode_head.conv_seg.bias", c.classes());
        weights.addAll(List.of(w, b));
        FloatArray y = new FloatArray(batch * in.h() * in.w() * c.classes());
        g.linear("decode_head.conv_seg", in.data(), w, b, y, batch * in.h() * in.w(), in.channels(), c.classes());
        return new Map2d(y, in.h(), in.w(), c.classes());
    }

    @Override
    public float[] logits() {
        return WindowedBlocks.toNchw(logits.toHeapArray(), batch, height, width, c.classes());
    }

    @Override
    public Map<String, float[]> outputs() {
        return Map.of("logits", logits());
    }
}
