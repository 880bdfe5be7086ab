package org.vitornado.model.segmentation;

import java.util.ArrayList;
import java.util.List;

import org.vitornado.model.io.Tensors;
import org.vitornado.model.layers.BlockWeights;
import org.vitornado.model.vit.VitEncoder;
import org.vitornado.model.vit.VitWeights;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * SETR's forward (see {@link SetrConfig}); maps stay channels-last, so every mmcv {@code ConvModule} is one conv
 * kernel (BatchNorm folded into its weights on the host) and a ReLU, and a 1x1 {@code conv_seg} is the linear kernel.
 */
final class SetrPlan extends SegmentationPlan {

    private final SetrConfig c;
    private final Tensors t;

    SetrPlan(SetrConfig c, Tensors t, int batch, int height, int width, ExecutionOptions options) {
        super("setr", options, batch, c.inChans(), height, width);
        int p = c.vit().patch();
        if (height % p != 0 || width % p != 0) {
            throw new IllegalArgumentException("SETR input " + height + "x" + width + " must be a multiple of the patch size " + p);
        }
        this.c = c;
        this.t = t;
        int gh = height / p;
        int gw = width / p;
        VitEncoder.Encoded encoded = VitEncoder.add(g, c.vit(), VitWeights.load(c.vit(), t), image(), c.outIndices());
        List<FeatureMap> outs = new ArrayList<>();
        for (Tokens tap : encoded.taps()) {
            outs.add(tap.asMap(gh, gw));
        }
        g.section("decode_head");
        FeatureMap scores = c.head().kind() == SetrConfig.Kind.UP ? upHead(outs.get(c.tap(0))) : mlaHead(mlaNeck(outs));
        logits = FeatureMap.allocate(batch, height, width, c.classes());
        g.resize("resize", scores, logits, c.alignCorners()).output(logits.data());
        compile();
    }

    /** SETRUPHead: LN, then (ConvModule + bilinear x up) per conv, then conv_seg. */
    private FeatureMap upHead(FeatureMap in) {
        SetrConfig.Head h = c.head();
        FeatureMap cur = FeatureMap.allocate(batch, in.height(), in.width(), in.channels());
        g.layerNorm("decode_head.norm", in.tokens(), BlockWeights.norm(t, "decode_head.norm", in.channels(), h.normEps()), cur.tokens());
        for (int i = 0; i < h.numConvs(); i++) {
            cur = convModule("decode_head.up_convs." + i + ".0", cur, h.channels(), h.kernelSize());
            FeatureMap up = FeatureMap.allocate(batch, cur.height() * h.upScale(), cur.width() * h.upScale(), cur.channels());
            g.resize("decode_head.up_convs." + i + ".1", cur, up, c.alignCorners());
            cur = up;
        }
        return convSeg(cur);
    }

    /** MLANeck: per level LN + 1x1 ConvModule, top-down sums from the deepest, a 3x3 ConvModule each (deepest first). */
    private List<FeatureMap> mlaNeck(List<FeatureMap> levels) {
        SetrConfig.Head h = c.head();
        int n = levels.size();
        List<FeatureMap> projected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FeatureMap in = levels.get(i);
            FeatureMap normed = FeatureMap.allocate(batch, in.height(), in.width(), in.channels());
            g.layerNorm("neck.norm." + i, in.tokens(), BlockWeights.norm(t, "neck.norm." + i, in.channels(), h.neckNormEps()), normed.tokens());
            projected.add(convModule("neck.mla.channel_proj." + i, normed, h.neckChannels(), 1));
        }
        List<FeatureMap> out = new ArrayList<>();
        FeatureMap running = null;
        for (int k = 0; k < n; k++) {
            FeatureMap level = projected.get(n - 1 - k);
            if (running != null) {
                g.add("neck.mla.sum." + k, level.data(), running.data());
            }
            running = level;
            out.add(convModule("neck.mla.feat_extract." + k, running, h.neckChannels(), 3));
        }
        return out;
    }

    /** SETRMLAHead: per input two 3x3 ConvModules and a bilinear x up into its slice of the concatenation, then conv_seg. */
    private FeatureMap mlaHead(List<FeatureMap> inputs) {
        SetrConfig.Head h = c.head();
        int n = h.inIndex().length;
        FeatureMap first = inputs.get(c.tap(0));
        FeatureMap concat = FeatureMap.allocate(batch, first.height() * h.upScale(), first.width() * h.upScale(), n * h.mlaChannels());
        for (int j = 0; j < n; j++) {
            FeatureMap x = inputs.get(c.tap(j));
            x = convModule("decode_head.up_convs." + j + ".0", x, h.mlaChannels(), 3);
            x = convModule("decode_head.up_convs." + j + ".1", x, h.mlaChannels(), 3);
            g.bilinear("decode_head.up_convs." + j + ".2", x, concat.height(), concat.width(), concat, j * h.mlaChannels(), c.alignCorners());
        }
        return convSeg(concat);
    }

    /** mmcv ConvModule(conv k x k, padding (k - 1) / 2, no bias; BN; ReLU) with the BN folded into the conv. */
    private FeatureMap convModule(String name, FeatureMap in, int out, int k) {
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
        FeatureMap y = FeatureMap.allocate(batch, in.height(), in.width(), out);
        g.conv2d(name, in, new Conv2d(fw, fb, in.channels(), out, k, 1, (k - 1) / 2, 1), y)
                .relu(name + ".relu", y.data());
        return y;
    }

    /** conv_seg: a 1x1 conv with bias to the classes. */
    private FeatureMap convSeg(FeatureMap in) {
        Linear seg = new Linear(t.load("decode_head.conv_seg.weight", c.classes(), in.channels(), 1, 1), t.load("decode_head.conv_seg.bias", c.classes()),
                in.channels(), c.classes());
        FeatureMap y = FeatureMap.allocate(batch, in.height(), in.width(), c.classes());
        g.linear("decode_head.conv_seg", in.tokens(), seg, y.tokens());
        return y;
    }
}
