package org.vitornado.model.segmentation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vitornado.model.io.Tensors;
import org.vitornado.model.layers.BlockWeights;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.HeadSlice;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * SegFormer's forward, channels-last throughout:
 * <pre>
 *   per stage s = 1..4:
 *     x = LN(conv_kxk/stride(x_prev))                                   overlapping patch embedding
 *     blocks: h = LN1(x); q = h Wq; kv = [LN(conv_sr(h)) or h] Wkv       efficient attention (keys on a map sr x smaller)
 *             x += proj(attn(q, k, v)); x += fc2(gelu(dwconv3x3(fc1(LN2(x)))))   Mix-FFN
 *     stage_s = LN_s(x)
 *   decoder: concat_s bilinear(stage_s W_s) at 1/4 (deepest first) -> 1x1 conv + BN (folded) + ReLU -> 1x1 conv
 *   logits: smp x4 bilinear align_corners=True; HF bilinear align_corners=False to the input size
 * </pre>
 * The image is transposed to NHWC as it is copied in; a 1x1 conv on NHWC rows is the linear kernel.
 */
final class SegformerPlan extends SegmentationPlan {

    private final SegformerConfig c;
    private final Tensors t;
    private final FeatureMap input;
    private final List<FeatureMap> stages = new ArrayList<>();
    private final FeatureMap decoder;
    private final FeatureMap lowres;

    SegformerPlan(SegformerConfig c, Tensors t, int batch, int height, int width, ExecutionOptions options) {
        super("segformer", options, batch, c.inChans(), height, width);
        if (height % 4 != 0 || width % 4 != 0) {
            throw new IllegalArgumentException("SegFormer input " + height + "x" + width + " must be a multiple of 4");
        }
        this.c = c;
        this.t = t;
        input = new FeatureMap(g.input(new FloatArray(batch * height * width * c.inChans())), batch, height, width, c.inChans());

        FeatureMap x = input;
        for (int s = 0; s < c.stages(); s++) {
            x = stage(s, x);
            stages.add(x);
        }

        g.section("decoder");
        int d = c.decoderChannels();
        int n = stages.size();
        FeatureMap concat = FeatureMap.allocate(batch, height / 4, width / 4, n * d);
        for (int k = 0; k < n; k++) {
            FeatureMap stage = stages.get(n - 1 - k);
            String p = "decoder.mlp_stage." + k + ".linear";
            Linear mlp = new Linear(t.load(p + ".weight", d, stage.channels()), t.load(p + ".bias", d), stage.channels(), d);
            FeatureMap projected = FeatureMap.allocate(batch, stage.height(), stage.width(), d);
            g.linear(p, stage.tokens(), mlp, projected.tokens())
                    .bilinear(p + ".resize", projected, concat.height(), concat.width(), concat, k * d, false);
        }
        decoder = FeatureMap.allocate(batch, concat.height(), concat.width(), d);
        g.linear("decoder.fuse_stage", concat.tokens(), foldBatchNorm("decoder.fuse_stage", d, n * d), decoder.tokens())
                .relu("decoder.fuse_stage.relu", decoder.data());

        int classes = c.classes();
        Linear head = new Linear(t.load("segmentation_head.0.weight", classes, d, 1, 1), t.load("segmentation_head.0.bias", classes), d, classes);
        lowres = FeatureMap.allocate(batch, decoder.height(), decoder.width(), classes);
        logits = FeatureMap.allocate(batch, height, width, classes);
        g.section("head")
                .linear("segmentation_head", decoder.tokens(), head, lowres.tokens())
                .resize("upsample", lowres, logits, c.naming() == SegformerConfig.Naming.SMP);

        stages.forEach(m -> g.output(m.data()));
        g.output(decoder.data(), lowres.data(), logits.data());
        compile();
    }

    /** Overlapping patch embedding, the stage's blocks and its norm. */
    private FeatureMap stage(int s, FeatureMap in) {
        int e = c.embedDims()[s];
        int k = c.patchSizes()[s];
        String p = "encoder.patch_embed" + (s + 1);
        Conv2d proj = new Conv2d(t.load(p + ".proj.weight", e, in.channels(), k, k), t.load(p + ".proj.bias", e), in.channels(), e, k,
                c.strides()[s], k / 2, 1);
        FeatureMap x = FeatureMap.allocate(batch, proj.outputSize(in.height()), proj.outputSize(in.width()), e);
        g.section(p)
                .conv2d(p + ".proj", in, proj, x)
                .layerNorm(p + ".norm", x.tokens(), BlockWeights.norm(t, p + ".norm", e, c.patchEps()), x.tokens());

        int sr = c.srRatios()[s];
        int hidden = e * c.mlpRatios()[s];
        int heads = c.heads()[s];
        Tokens h = Tokens.allocate(batch, x.height() * x.width(), e);
        Tokens q = Tokens.allocate(batch, h.tokens(), e);
        FeatureMap reduced = sr > 1 ? FeatureMap.allocate(batch, (x.height() - sr) / sr + 1, (x.width() - sr) / sr + 1, e) : h.asMap(x.height(), x.width());
        Tokens kv = Tokens.allocate(batch, reduced.height() * reduced.width(), 2 * e);
        Tokens attended = Tokens.allocate(batch, h.tokens(), e);
        FeatureMap mlp = FeatureMap.allocate(batch, x.height(), x.width(), hidden);
        FeatureMap mixed = FeatureMap.allocate(batch, x.height(), x.width(), hidden);
        for (int j = 0; j < c.depths()[s]; j++) {
            String b = "encoder.block" + (s + 1) + "." + j + ".";
            g.section(b.substring(0, b.length() - 1))
                    .layerNorm(b + "norm1", x.tokens(), BlockWeights.norm(t, b + "norm1", e, c.blockEps()), h)
                    .linear(b + "attn.q", h, linear(b + "attn.q", e, e), q);
            if (sr > 1) {
                Conv2d srConv = new Conv2d(t.load(b + "attn.sr.weight", e, e, sr, sr), t.load(b + "attn.sr.bias", e), e, e, sr, sr, 0, 1);
                LayerNorm srNorm = BlockWeights.norm(t, b + "attn.norm", e, c.srEps());
                g.conv2d(b + "attn.sr", h.asMap(x.height(), x.width()), srConv, reduced)
                        .layerNorm(b + "attn.norm", reduced.tokens(), srNorm, reduced.tokens());
            }
            Conv2d dw = new Conv2d(t.load(b + "mlp.dwconv.dwconv.weight", hidden, 1, 3, 3), t.load(b + "mlp.dwconv.dwconv.bias", hidden), hidden,
                    hidden, 3, 1, 1, hidden);
            g.linear(b + "attn.kv", reduced.tokens(), linear(b + "attn.kv", e, 2 * e), kv)
                    .attention(b + "attn", new HeadSlice(q, 0), new HeadSlice(kv, 0), new HeadSlice(kv, e), heads, attended)
                    .linearResidual(b + "attn.proj", attended, linear(b + "attn.proj", e, e), x.tokens())
                    .layerNorm(b + "norm2", x.tokens(), BlockWeights.norm(t, b + "norm2", e, c.blockEps()), h)
                    .linear(b + "mlp.fc1", h, linear(b + "mlp.fc1", e, hidden), mlp.tokens())
                    .conv2d(b + "mlp.dwconv", mlp, dw, mixed)
                    .gelu(b + "mlp.act", mixed.data())
                    .linearResidual(b + "mlp.fc2", mixed.tokens(), linear(b + "mlp.fc2", hidden, e), x.tokens());
        }
        String norm = "encoder.norm" + (s + 1);
        g.layerNorm(norm, x.tokens(), BlockWeights.norm(t, norm, e, c.stageEps()), x.tokens());
        return x;
    }

    private Linear linear(String name, int in, int out) {
        return new Linear(t.load(name + ".weight", out, in), t.load(name + ".bias", out), in, out);
    }

    /**
     * The fuse conv (1x1, no bias) with its eval-mode BatchNorm folded in on the host:
     * {@code w' = w g / sqrt(var + eps)}, {@code b' = beta - mean g / sqrt(var + eps)}.
     */
    private Linear foldBatchNorm(String p, int out, int in) {
        FloatArray w = t.load(p + ".0.weight", out, in, 1, 1);
        FloatArray gamma = t.load(p + ".1.weight", out);
        FloatArray beta = t.load(p + ".1.bias", out);
        FloatArray mean = t.load(p + ".1.running_mean", out);
        FloatArray var = t.load(p + ".1.running_var", out);
        FloatArray fw = new FloatArray(out * in);
        FloatArray fb = new FloatArray(out);
        if (!t.placeholder()) {
            for (int o = 0; o < out; o++) {
                double k = gamma.get(o) / Math.sqrt(var.get(o) + SegformerConfig.BN_EPS);
                for (int i = 0; i < in; i++) {
                    fw.set(o * in + i, (float) (w.get(o * in + i) * k));
                }
                fb.set(o, (float) (beta.get(o) - mean.get(o) * k));
            }
        }
        return new Linear(fw, fb, in, out);
    }

    /** NCHW pixels to the channels-last map the first conv reads. */
    @Override
    protected void upload(float[] pixels) {
        input.fromNchw(pixels);
    }

    @Override
    public Map<String, float[]> outputs() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int s = 0; s < stages.size(); s++) {
            out.put("stage" + (s + 1), stages.get(s).toNchw());
        }
        out.put("decoder", decoder.toNchw());
        out.put("logits_lowres", lowres.toNchw());
        out.put("logits", logits.toNchw());
        return out;
    }
}
