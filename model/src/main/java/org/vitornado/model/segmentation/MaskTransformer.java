package org.vitornado.model.segmentation;

import java.util.List;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.GraphBuilder;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * DEPICT's mask transformer as graph tasks, on patch tokens already on the device:
 * <pre>
 *   sa: x = [patches; cls_emb] -> layers: x += step W^T attn(xn W^T)          (xn = LayerNorm(x); q = k = v = xn W^T)
 *       -> decoder_norm -> split
 *   ca: x = patches -> the same layers (snet) -> snorm;  q = cls_emb
 *       -> 3 layers (cnet): q += step W^T attn(q W^T over xn W^T)              (only x is normalised)
 *       -> cnorm
 *   masks = LayerNorm_over_classes(cos(patch, class))
 * </pre>
 * Each layer has one projection {@code W [heads * headDim, d]} for q, k and v, no bias, and a scalar step size; the
 * output projection by {@code W} (transposed) is done by the linear kernel with {@code step * W^T}, prepared once on
 * the host.
 */
public final class MaskTransformer {

    private MaskTransformer() {
    }

    /**
     * Adds the decoder. Patch t of image b is row {@code b * imageRows + start + t} of {@code tokens}; returns the
     * masks as {@code [batch * gridH * gridW, classes]} rows (channels-last), after mask_norm.
     */
    public static FloatArray add(GraphBuilder g, Tensors t, MaskTransformerConfig c, FloatArray tokens, int imageRows, int start, int batch,
            int gridH, int gridW, List<Object> weights) {
        int n = c.classes();
        int d = c.dim();
        int patches = gridH * gridW;
        FloatArray clsEmb = t.load("cls_emb", 1, n, d);
        weights.add(clsEmb);
        FloatArray masks = new FloatArray(batch * patches * n);
        FloatArray patchFeatures;
        FloatArray classFeatures;
        int patchRows;
        int classRows;
        int classStart;
        if (c.mode() == MaskTransformerConfig.Mode.SA) {
            int rows = patches + n;
            FloatArray x = new FloatArray(batch * rows * d);
            g.copyRows("decoder.patches", tokens, x, batch, patches, d, imageRows, start, rows, 0)
                    .copyRows("decoder.cls_emb", clsEmb, x, batch, n, d, 0, 0, rows, patches);
            selfAttentionStack(g, t, "net.", c, x, batch, rows, weights);
            norm(g, t, "decoder_norm", x, batch * rows, d, weights);
            patchFeatures = x;
            classFeatures = x;
            patchRows = rows;
            classRows = rows;
            classStart = patches;
        } else {
            FloatArray x = new FloatArray(batch * patches * d);
            g.copyRows("decoder.patches", tokens, x, batch, patches, d, imageRows, start, patches, 0);
            selfAttentionStack(g, t, "snet.", c, x, batch, patches, weights);
            norm(g, t, "snorm", x, batch * patches, d, weights);
            FloatArray query = new FloatArray(batch * n * d);
            g.copyRows("decoder.cls_emb", clsEmb, query, batch, n, d, 0, 0, n, 0);
            crossAttentionStack(g, t, c, x, query, batch, patches, weights);
            norm(g, t, "cnorm", query, batch * n, d, weights);
            patchFeatures = x;
            classFeatures = query;
            patchRows = patches;
            classRows = n;
            classStart = 0;
        }
        g.classMasks("masks", patchFeatures, classFeatures, masks, batch, patches, n, d, patchRows, 0, classRows, classStart);
        norm(g, t, "mask_norm", masks, batch * patches, n, weights);
        return masks;
    }

    /** {@code x += step W^T attn(LN(x) W^T)} per layer, over {@code rows} tokens per image. */
    private static void selfAttentionStack(GraphBuilder g, Tensors t, String p, MaskTransformerConfig c, FloatArray x, int batch, int rows,
            List<Object> weights) {
        int d = c.dim();
        int inner = c.heads() * MaskTransformerConfig.SELF_HEAD_DIM;
        FloatArray h = new FloatArray(batch * rows * d);
        FloatArray w = new FloatArray(batch * rows * inner);
        FloatArray attended = new FloatArray(batch * rows * inner);
        FloatArray noBiasInner = new FloatArray(inner);
        FloatArray noBias = new FloatArray(d);
        weights.addAll(List.of(noBiasInner, noBias));
        float scale = (float) (1.0 / Math.sqrt(MaskTransformerConfig.SELF_HEAD_DIM));
        for (int l = 0; l < c.layers(); l++) {
            String layer = p + "layers." + l + ".";
            Layer k = Layer.load(t, layer, inner, d, weights);
            g.layerNorm(layer + "norm", x, k.normW, k.normB, h, batch * rows, d, MaskTransformerConfig.EPS)
                    .linear(layer + "fn.proj", h, k.proj, noBiasInner, w, batch * rows, d, inner)
                    .attentionSeparate(layer + "fn.attn", w, w, attended, batch, rows, rows, c.heads(), MaskTransformerConfig.SELF_HEAD_DIM,
                            inner, 0, inner, 0, 0, scale)
                    .linearResidual(layer + "fn.out", attended, k.stepProjT, noBias, x, batch * rows, inner, d);
        }
    }

    /** {@code q += step W^T attn(q W^T over LN(x) W^T)} for cnet's three layers; x (the normalised patches) is not changed. */
    private static void crossAttentionStack(GraphBuilder g, Tensors t, MaskTransformerConfig c, FloatArray x, FloatArray query, int batch,
            int patches, List<Object> weights) {
        int d = c.dim();
        int n = c.classes();
        int inner = c.heads() * MaskTransformerConfig.CROSS_HEAD_DIM;
        FloatArray h = new FloatArray(batch * patches * d);
        FloatArray kv = new FloatArray(batch * patches * inner);
        FloatArray q = new FloatArray(batch * n * inner);
        FloatArray attended = new FloatArray(batch * n * inner);
        FloatArray noBiasInner = new FloatArray(inner);
        FloatArray noBias = new FloatArray(d);
        weights.addAll(List.of(noBiasInner, noBias));
        float scale = (float) (1.0 / Math.sqrt(MaskTransformerConfig.CROSS_HEAD_DIM));
        for (int l = 0; l < MaskTransformerConfig.CROSS_LAYERS; l++) {
            String layer = "cnet.layers." + l + ".";
            Layer k = Layer.load(t, layer, inner, d, weights);
            g.layerNorm(layer + "norm", x, k.normW, k.normB, h, batch * patches, d, MaskTransformerConfig.EPS)
                    .linear(layer + "fn.proj.kv", h, k.proj, noBiasInner, kv, batch * patches, d, inner)
                    .linear(layer + "fn.proj.q", query, k.proj, noBiasInner, q, batch * n, d, inner)
                    .attentionSeparate(layer + "fn.attn", q, kv, attended, batch, n, patches, c.heads(), MaskTransformerConfig.CROSS_HEAD_DIM,
                            inner, 0, inner, 0, 0, scale)
                    .linearResidual(layer + "fn.out", attended, k.stepProjT, noBias, query, batch * n, inner, d);
        }
    }

    /** One PreNorm(Attention) layer's parameters; {@code stepProjT = step_size * proj^T} ([d, inner]). */
    private record Layer(FloatArray normW, FloatArray normB, FloatArray proj, FloatArray stepProjT) {
        static Layer load(Tensors t, String p, int inner, int d, List<Object> weights) {
            FloatArray normW = t.load(p + "norm.weight", d);
            FloatArray normB = t.load(p + "norm.bias", d);
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
            weights.addAll(List.of(normW, normB, proj, stepProjT));
            return new Layer(normW, normB, proj, stepProjT);
        }
    }

    private static void norm(GraphBuilder g, Tensors t, String name, FloatArray x, int rows, int width, List<Object> weights) {
        FloatArray w = t.load(name + ".weight", width);
        FloatArray b = t.load(name + ".bias", width);
        weights.addAll(List.of(w, b));
        g.layerNorm(name, x, w, b, x, rows, width, MaskTransformerConfig.EPS);
    }
}
