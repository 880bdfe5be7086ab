package org.vitornado.model.segmentation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vitornado.kernels.ConvKernels;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.sam.WindowedBlocks;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.GraphBuilder;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * SegFormer's forward as one graph, channels-last throughout:
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
final class SegformerPlan extends CompiledSegmenter {

    private final SegformerConfig c;
    private final List<Map2d> stages = new ArrayList<>();
    private final Map2d decoder;
    private final Map2d lowres;
    private final Map2d logits;

    /** A channels-last map on the device. */
    private record Map2d(FloatArray data, int h, int w, int channels) {
    }

    SegformerPlan(SegformerConfig c, Tensors t, int batch, int height, int width, ExecutionOptions options) {
        super(batch, height, width, batch * height * width * c.inChans());
        if (height % 4 != 0 || width % 4 != 0) {
            throw new IllegalArgumentException("SegFormer input " + height + "x" + width + " must be a multiple of 4");
        }
        this.c = c;
        GridScheduler grids = new GridScheduler();
        GraphBuilder g = GraphBuilder.forPlan("segformer", grids, options);
        List<Object> weights = new ArrayList<>();

        Map2d x = new Map2d(image, height, width, c.inChans());
        for (int s = 0; s < c.stages(); s++) {
            x = stage(g, t, s, x, weights);
            stages.add(x);
        }

        int d = c.decoderChannels();
        int th = height / 4;
        int tw = width / 4;
        int n = stages.size();
        FloatArray concat = new FloatArray(batch * th * tw * n * d);
        for (int k = 0; k < n; k++) {
            Map2d stage = stages.get(n - 1 - k);
            String p = "decoder.mlp_stage." + k + ".linear";
            FloatArray w = t.load(p + ".weight", d, stage.channels());
            FloatArray b = t.load(p + ".bias", d);
            weights.addAll(List.of(w, b));
            FloatArray projected = new FloatArray(batch * stage.h() * stage.w() * d);
            g.linear(p, stage.data(), w, b, projected, batch * stage.h() * stage.w(), stage.channels(), d)
                    .bilinear(p + ".resize", projected, concat, batch, stage.h(), stage.w(), th, tw, th, tw, d, false, n * d, k * d);
        }
        FloatArray[] fused = foldBatchNorm(t, "decoder.fuse_stage", d, n * d);
        weights.addAll(List.of(fused));
        FloatArray fuse = new FloatArray(batch * th * tw * d);
        g.linear("decoder.fuse_stage", concat, fused[0], fused[1], fuse, batch * th * tw, n * d, d)
                .relu("decoder.fuse_stage.relu", fuse, batch * th * tw * d);
        decoder = new Map2d(fuse, th, tw, d);

        int classes = c.classes();
        FloatArray headW = t.load("segmentation_head.0.weight", classes, d, 1, 1);
        FloatArray headB = t.load("segmentation_head.0.bias", classes);
        weights.addAll(List.of(headW, headB));
        FloatArray low = new FloatArray(batch * th * tw * classes);
        g.linear("segmentation_head", fuse, headW, headB, low, batch * th * tw, d, classes);
        lowres = new Map2d(low, th, tw, classes);
        FloatArray up = new FloatArray(batch * height * width * classes);
        boolean smp = c.naming() == SegformerConfig.Naming.SMP;
        g.bilinear("upsample", low, up, batch, th, tw, height, width, height, width, classes, smp, classes, 0);
        logits = new Map2d(up, height, width, classes);

        List<Object> outs = new ArrayList<>();
        stages.forEach(m -> outs.add(m.data()));
        outs.addAll(List.of(fuse, low, up));
        g.weights(weights.toArray()).inputs(image).outputs(outs.toArray());
        finish(g, grids, options);
    }

    @Override
    protected int pixelCount() {
        return batch * c.inChans() * height * width;
    }

    /** Overlapping patch embedding, the stage's blocks and its norm. */
    private Map2d stage(GraphBuilder g, Tensors t, int s, Map2d in, List<Object> weights) {
        int e = c.embedDims()[s];
        int k = c.patchSizes()[s];
        int stride = c.strides()[s];
        int oh = ConvKernels.outputSize(in.h(), k, stride, k / 2);
        int ow = ConvKernels.outputSize(in.w(), k, stride, k / 2);
        int rows = batch * oh * ow;
        String p = "encoder.patch_embed" + (s + 1);
        FloatArray convW = t.load(p + ".proj.weight", e, in.channels(), k, k);
        FloatArray convB = t.load(p + ".proj.bias", e);
        FloatArray normW = t.load(p + ".norm.weight", e);
        FloatArray normB = t.load(p + ".norm.bias", e);
        weights.addAll(List.of(convW, convB, normW, normB));
        FloatArray x = new FloatArray(rows * e);
        g.conv2d(p + ".proj", in.data(), convW, convB, x, batch, in.h(), in.w(), in.channels(), e, k, stride, k / 2, 1, oh, ow)
                .layerNorm(p + ".norm", x, normW, normB, x, rows, e, c.patchEps());

        int sr = c.srRatios()[s];
        int kh = sr > 1 ? ConvKernels.outputSize(oh, sr, sr, 0) : oh;
        int kw = sr > 1 ? ConvKernels.outputSize(ow, sr, sr, 0) : ow;
        int keyRows = batch * kh * kw;
        int hidden = e * c.mlpRatios()[s];
        int heads = c.heads()[s];
        FloatArray h = new FloatArray(rows * e);
        FloatArray q = new FloatArray(rows * e);
        FloatArray reduced = sr > 1 ? new FloatArray(keyRows * e) : h;
        FloatArray kv = new FloatArray(keyRows * 2 * e);
        FloatArray attended = new FloatArray(rows * e);
        FloatArray mlp = new FloatArray(rows * hidden);
        FloatArray mixed = new FloatArray(rows * hidden);
        float scale = (float) (1.0 / Math.sqrt(e / heads));
        for (int j = 0; j < c.depths()[s]; j++) {
            String b = "encoder.block" + (s + 1) + "." + j + ".";
            FloatArray n1W = t.load(b + "norm1.weight", e);
            FloatArray n1B = t.load(b + "norm1.bias", e);
            FloatArray qW = t.load(b + "attn.q.weight", e, e);
            FloatArray qB = t.load(b + "attn.q.bias", e);
            FloatArray kvW = t.load(b + "attn.kv.weight", 2L * e, e);
            FloatArray kvB = t.load(b + "attn.kv.bias", 2L * e);
            FloatArray projW = t.load(b + "attn.proj.weight", e, e);
            FloatArray projB = t.load(b + "attn.proj.bias", e);
            FloatArray n2W = t.load(b + "norm2.weight", e);
            FloatArray n2B = t.load(b + "norm2.bias", e);
            FloatArray fc1W = t.load(b + "mlp.fc1.weight", hidden, e);
            FloatArray fc1B = t.load(b + "mlp.fc1.bias", hidden);
            FloatArray dwW = t.load(b + "mlp.dwconv.dwconv.weight", hidden, 1, 3, 3);
            FloatArray dwB = t.load(b + "mlp.dwconv.dwconv.bias", hidden);
            FloatArray fc2W = t.load(b + "mlp.fc2.weight", e, hidden);
            FloatArray fc2B = t.load(b + "mlp.fc2.bias", e);
            weights.addAll(List.of(n1W, n1B, qW, qB, kvW, kvB, projW, projB, n2W, n2B, fc1W, fc1B, dwW, dwB, fc2W, fc2B));
            g.layerNorm(b + "norm1", x, n1W, n1B, h, rows, e, c.blockEps())
                    .linear(b + "attn.q", h, qW, qB, q, rows, e, e);
            if (sr > 1) {
                FloatArray srW = t.load(b + "attn.sr.weight", e, e, sr, sr);
                FloatArray srB = t.load(b + "attn.sr.bias", e);
                FloatArray srNW = t.load(b + "attn.norm.weight", e);
                FloatArray srNB = t.load(b + "attn.norm.bias", e);
                weights.addAll(List.of(srW, srB, srNW, srNB));
                g.conv2d(b + "attn.sr", h, srW, srB, reduced, batch, oh, ow, e, e, sr, sr, 0, 1, kh, kw)
                        .layerNorm(b + "attn.norm", reduced, srNW, srNB, reduced, keyRows, e, c.srEps());
            }
            g.linear(b + "attn.kv", reduced, kvW, kvB, kv, keyRows, e, 2 * e)
                    .attentionSeparate(b + "attn", q, kv, attended, batch, oh * ow, kh * kw, heads, e / heads, e, 0, 2 * e, 0, e, scale)
                    .linearResidual(b + "attn.proj", attended, projW, projB, x, rows, e, e)
                    .layerNorm(b + "norm2", x, n2W, n2B, h, rows, e, c.blockEps())
                    .linear(b + "mlp.fc1", h, fc1W, fc1B, mlp, rows, e, hidden)
                    .conv2d(b + "mlp.dwconv", mlp, dwW, dwB, mixed, batch, oh, ow, hidden, hidden, 3, 1, 1, hidden, oh, ow)
                    .gelu(b + "mlp.act", mixed, rows * hidden)
                    .linearResidual(b + "mlp.fc2", mixed, fc2W, fc2B, x, rows, hidden, e);
        }
        String norm = "encoder.norm" + (s + 1);
        FloatArray nW = t.load(norm + ".weight", e);
        FloatArray nB = t.load(norm + ".bias", e);
        weights.addAll(List.of(nW, nB));
        g.layerNorm(norm, x, nW, nB, x, rows, e, c.stageEps());
        return new Map2d(x, oh, ow, e);
    }

    /**
     * The fuse conv (1x1, no bias) with its eval-mode BatchNorm folded in on the host:
     * {@code w' = w g / sqrt(var + eps)}, {@code b' = beta - mean g / sqrt(var + eps)}.
     */
    private static FloatArray[] foldBatchNorm(Tensors t, String p, int out, int in) {
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
        return new FloatArray[] {fw, fb};
    }

    /** NCHW pixels to the channels-last map the first conv reads. */
    @Override
    protected void upload(float[] pixels) {
        int ch = c.inChans();
        int hw = height * width;
        for (int b = 0; b < batch; b++) {
            for (int k = 0; k < ch; k++) {
                for (int i = 0; i < hw; i++) {
                    image.set((b * hw + i) * ch + k, pixels[(b * ch + k) * hw + i]);
                }
            }
        }
    }

    @Override
    public float[] logits() {
        return nchw(logits);
    }

    private float[] nchw(Map2d m) {
        return WindowedBlocks.toNchw(m.data().toHeapArray(), batch, m.h(), m.w(), m.channels());
    }

    @Override
    public Map<String, float[]> outputs() {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int s = 0; s < stages.size(); s++) {
            out.put("stage" + (s + 1), nchw(stages.get(s)));
        }
        out.put("decoder", nchw(decoder));
        out.put("logits_lowres", nchw(lowres));
        out.put("logits", nchw(logits));
        return out;
    }
}
