package org.vitornado.model.segmentation;

import org.vitornado.model.io.Tensors;
import org.vitornado.model.layers.BlockWeights;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.tensor.HeadSlice;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * DEPICT's mask transformer as plan tasks, on patch tokens already on the device:
 * <pre>
 *   sa: x = [patches; cls_emb] -> layers: x += step W^T attn(xn W^T)          (xn = LayerNorm(x); q = k = v = xn W^T)
 *       -> decoder_norm -> split
 *   ca: x = patches -> the same layers (snet) -> snorm;  q = cls_emb
 *       -> 3 layers (cnet): q += step W^T attn(q W^T over xn W^T)              (only x is normalised)
 *       -> cnorm
 *   masks = LayerNorm_over_classes(cos(patch, class))
 * </pre>
 * Each layer has one projection {@code W [heads * headDim, d]} for q, k and v, no bias, and a scalar step size; the
 * output projection by {@code W} (transposed) is the linear kernel with {@code step * W^T}, prepared once on the host.
 */
public final class MaskTransformer {

    private MaskTransformer() {
    }

    /**
     * Adds the decoder on the patch tokens at rows {@code [start, start + gridH * gridW)} of each image of
     * {@code tokens}; returns the masks, {@code [batch, gridH * gridW, classes]} (channels-last), after mask_norm.
     */
    public static Tokens add(PlanBuilder g, Tensors t, MaskTransformerConfig c, Tokens tokens, int start, int gridH, int gridW) {
        int n = c.classes();
        int d = c.dim();
        int batch = tokens.batch();
        int patches = gridH * gridW;
        // Placeholder tensors (a plan built for inspection, or a checkpoint's shapes being checked) stand in with zeros.
        FloatArray cls = t.load("cls_emb", 1, n, d);
        Tokens clsEmb = t.placeholder() ? Tokens.allocate(1, n, d) : new Tokens(cls, 1, n, d);
        Tokens masks = Tokens.allocate(batch, patches, n);
        g.section("decoder");
        if (c.mode() == MaskTransformerConfig.Mode.SA) {
            Tokens x = Tokens.allocate(batch, patches + n, d);
            g.copyRows("decoder.patches", tokens, start, x, 0, patches)
                    .copyRows("decoder.cls_emb", clsEmb, 0, x, patches, n);
            selfAttentionStack(g, t, "net.", c, x);
            g.layerNorm("decoder_norm", x, norm(t, "decoder_norm", d), x)
                    .classMasks("masks", x, 0, x, patches, masks);
        } else {
            Tokens x = Tokens.allocate(batch, patches, d);
            g.copyRows("decoder.patches", tokens, start, x, 0, patches);
            selfAttentionStack(g, t, "snet.", c, x);
            g.layerNorm("snorm", x, norm(t, "snorm", d), x);
            Tokens query = Tokens.allocate(batch, n, d);
            g.copyRows("decoder.cls_emb", clsEmb, 0, query, 0, n);
            crossAttentionStack(g, t, c, x, query);
            g.layerNorm("cnorm", query, norm(t, "cnorm", d), query)
                    .classMasks("masks", x, 0, query, 0, masks);
        }
        g.layerNorm("mask_norm", masks, norm(t, "mask_norm", n), masks);
        return masks;
    }

    /** {@code x += step W^T attn(LN(x) W^T)} per layer. */
    private static void selfAttentionStack(PlanBuilder g, Tensors t, String p, MaskTransformerConfig c, Tokens x) {
        int d = c.dim();
        int inner = c.heads() * MaskTransformerConfig.SELF_HEAD_DIM;
        Tokens h = Tokens.allocate(x.batch(), x.tokens(), d);
        Tokens w = Tokens.allocate(x.batch(), x.tokens(), inner);
        Tokens attended = Tokens.allocate(x.batch(), x.tokens(), inner);
        FloatArray noBiasInner = new FloatArray(inner);
        FloatArray noBias = new FloatArray(d);
        for (int l = 0; l < c.layers(); l++) {
            String layer = p + "layers." + l + ".";
            Layer k = Layer.load(t, layer, inner, d, noBiasInner, noBias);
            g.section(layer.substring(0, layer.length() - 1))
                    .layerNorm(layer + "norm", x, k.norm(), h)
                    .linear(layer + "fn.proj", h, k.proj(), w)
                    .attention(layer + "fn.attn", new HeadSlice(w, 0), new HeadSlice(w, 0), new HeadSlice(w, 0), c.heads(), attended)
                    .linearResidual(layer + "fn.out", attended, k.stepProjT(), x);
        }
    }

    /** {@code q += step W^T attn(q W^T over LN(x) W^T)} for cnet's three layers; x (the normalised patches) is not changed. */
    private static void crossAttentionStack(PlanBuilder g, Tensors t, MaskTransformerConfig c, Tokens x, Tokens query) {
        int d = c.dim();
        int inner = c.heads() * MaskTransformerConfig.CROSS_HEAD_DIM;
        Tokens h = Tokens.allocate(x.batch(), x.tokens(), d);
        Tokens kv = Tokens.allocate(x.batch(), x.tokens(), inner);
        Tokens q = Tokens.allocate(query.batch(), query.tokens(), inner);
        Tokens attended = Tokens.allocate(query.batch(), query.tokens(), inner);
        FloatArray noBiasInner = new FloatArray(inner);
        FloatArray noBias = new FloatArray(d);
        for (int l = 0; l < MaskTransformerConfig.CROSS_LAYERS; l++) {
            String layer = "cnet.layers." + l + ".";
            Layer k = Layer.load(t, layer, inner, d, noBiasInner, noBias);
            g.section(layer.substring(0, layer.length() - 1))
                    .layerNorm(layer + "norm", x, k.norm(), h)
                    .linear(layer + "fn.proj.kv", h, k.proj(), kv)
                    .linear(layer + "fn.proj.q", query, k.proj(), q)
                    .attention(layer + "fn.attn", new HeadSlice(q, 0), new HeadSlice(kv, 0), new HeadSlice(kv, 0), c.heads(), attended)
                    .linearResidual(layer + "fn.out", attended, k.stepProjT(), query);
        }
    }

    /** One PreNorm(Attention) layer: its norm, the projection {@code W} and {@code step * W^T} ({@code [d, inner]}). */
    private record Layer(LayerNorm norm, Linear proj, Linear stepProjT) {
        static Layer load(Tensors t, String p, int inner, int d, FloatArray noBiasInner, FloatArray noBias) {
            FloatArray proj = t.load(p + "fn.proj", inner, d);
            FloatArray step = t.load(p + "fn.step_size", 1);
            FloatArray stepProjT = new FloatArray(d * inner);
            if (!t.placeholder()) {
                float s = step.get(0);
                for (int i = 0; i < inner; i++) {
                    for (int j = 0; j < d; j++) {
                        stepProjT.set(j * inner + i, s * proj.get(i * d + j));
                    }
                }
            }
            return new Layer(MaskTransformer.norm(t, p + "norm", d), new Linear(proj, noBiasInner, d, inner), new Linear(stepProjT, noBias, inner, d));
        }
    }

    private static LayerNorm norm(Tensors t, String name, int width) {
        return BlockWeights.norm(t, name, width, MaskTransformerConfig.EPS);
    }
}
