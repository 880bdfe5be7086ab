package org.vitornado.model.vit;

import java.util.List;

import org.vitornado.runtime.GraphBuilder;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The token path of a ViT as graph tasks, shared by the classifier ({@link VitPlan}) and the segmenters that put a
 * decoder on its tokens:
 * <pre>
 *   [resample pos-embed] -> patch_embed(+cls, +pos) -> [norm_pre] -> blocks x depth -> [norm]
 * </pre>
 */
public final class VitEncoder {

    private VitEncoder() {
    }

    /**
     * Adds the encoder for {@code batch} NCHW images of {@code height x width} in {@code image} and returns the token
     * rows {@code [batch * (prefix + gridH * gridW), embed]} (class token first), after the final norm if the
     * config has one. The arrays the tasks read as parameters are appended to {@code weights}.
     */
    public static FloatArray add(GraphBuilder g, VitConfig c, VitWeights w, FloatArray image, int batch, int height, int width,
            List<Object> weights) {
        return add(g, c, w, image, batch, height, width, weights, new int[0]).get(0);
    }

    /**
     * As {@link #add}, also copying the patch tokens (prefix tokens dropped) after each block in {@code taps} into
     * maps of their own, {@code [batch * gridH * gridW, embed]} channels-last, as mmsegmentation's
     * {@code out_indices} does (the last block's tap comes after the final norm, if any). Returns the final tokens,
     * then one map per tap.
     */
    public static List<FloatArray> add(GraphBuilder g, VitConfig c, VitWeights w, FloatArray image, int batch, int height, int width,
            List<Object> weights, int[] taps) {
        int gridH = height / c.patch();
        int gridW = width / c.patch();
        int prefix = c.prefixTokens();
        int tokens = prefix + gridH * gridW;
        int e = c.embedDim();
        int rows = batch * tokens;
        FloatArray x = new FloatArray(rows * e);
        FloatArray h = new FloatArray(rows * e);
        FloatArray qkv = new FloatArray(rows * 3 * e);
        FloatArray attn = new FloatArray(rows * e);
        FloatArray mlp = new FloatArray(rows * c.mlpHidden());

        weights.addAll(List.of(w.patchW, w.patchB));

        FloatArray cls = classTokenWithPosition(c, w);
        weights.add(cls);
        FloatArray pos = positionEmbedding(c, w, g, weights, gridH, gridW);
        g.patchEmbed("patch_embed", image, w.patchW, w.patchB, cls, pos, x,
                batch, c.inChans(), height, width, c.patch(), e, gridH, gridW, prefix);
        if (c.preNorm()) {
            weights.addAll(List.of(w.preNormW, w.preNormB));
            g.layerNorm("norm_pre", x, w.preNormW, w.preNormB, x, rows, e, c.eps());
        }
        float scale = (float) (1.0 / Math.sqrt(c.headDim()));
        List<FloatArray> tapped = new java.util.ArrayList<>();
        for (int tap : taps) {
            if (tap < 0 || tap >= c.depth()) {
                throw new IllegalArgumentException("out index " + tap + " is not a block (0.." + (c.depth() - 1) + ")");
            }
            tapped.add(new FloatArray(batch * gridH * gridW * e));
        }
        for (int i = 0; i < c.depth(); i++) {
            VitWeights.Block b = w.blocks[i];
            weights.addAll(List.of(b.norm1W(), b.norm1B(), b.qkvW(), b.qkvB(), b.projW(), b.projB(),
                    b.norm2W(), b.norm2B(), b.fc1W(), b.fc1B(), b.fc2W(), b.fc2B()));
            String p = "blocks." + i + ".";
            g.layerNorm(p + "norm1", x, b.norm1W(), b.norm1B(), h, rows, e, c.eps())
                    .linear(p + "attn.qkv", h, b.qkvW(), b.qkvB(), qkv, rows, e, 3 * e)
                    .attention(p + "attn", qkv, attn, batch, tokens, c.numHeads(), c.headDim(), scale)
                    .linearResidual(p + "attn.proj", attn, b.projW(), b.projB(), x, rows, e, e)
                    .layerNorm(p + "norm2", x, b.norm2W(), b.norm2B(), h, rows, e, c.eps())
                    .linearGelu(p + "mlp.fc1", h, b.fc1W(), b.fc1B(), mlp, rows, e, c.mlpHidden())
                    .linearResidual(p + "mlp.fc2", mlp, b.fc2W(), b.fc2B(), x, rows, c.mlpHidden(), e);
            for (int k = 0; k < taps.length; k++) {
                if (taps[k] == i) {
                    FloatArray map = tapped.get(k);
                    if (i == c.depth() - 1 && c.finalNorm()) {
                        weights.addAll(List.of(w.normW, w.normB));
                        g.layerNorm(p + "tap.norm", x, w.normW, w.normB, h, rows, e, c.eps())
                                .copyRows(p + "tap", h, map, batch, gridH * gridW, e, tokens, prefix, gridH * gridW, 0);
                    } else {
                        g.copyRows(p + "tap", x, map, batch, gridH * gridW, e, tokens, prefix, gridH * gridW, 0);
                    }
                }
            }
        }
        if (c.finalNorm()) {
            weights.addAll(List.of(w.normW, w.normB));
            g.layerNorm("norm", x, w.normW, w.normB, x, rows, e, c.eps());
        }
        List<FloatArray> out = new java.util.ArrayList<>(List.of(x));
        out.addAll(tapped);
        return out;
    }

    /** The class token with its position embedding added (once, on the host); zeros without a class token. */
    private static FloatArray classTokenWithPosition(VitConfig c, VitWeights w) {
        int e = c.embedDim();
        FloatArray cls = new FloatArray(e);
        boolean hasData = w.clsToken.getSize() >= e; // placeholder weights (inspection only) hold no data
        if (c.classToken() && hasData) {
            boolean classPos = c.posEmbed() && !c.noEmbedClass();
            for (int i = 0; i < e; i++) {
                cls.set(i, w.clsToken.get(i) + (classPos ? w.posEmbed.get(i) : 0f));
            }
        }
        return cls;
    }

    /**
     * The position embedding of the patch grid, one row per patch token, as the patch-embedding kernel reads it.
     * The stored grid rows are copied once on the host (without the class row); when the token grid differs from
     * the pretraining grid a kernel resamples them (timm: bicubic with antialias; Hugging Face: plain bicubic).
     * Every array handed to the device is thus written whole, by the host or by a kernel.
     */
    private static FloatArray positionEmbedding(VitConfig c, VitWeights w, GraphBuilder g, List<Object> weights, int gridH, int gridW) {
        int e = c.embedDim();
        int storedGrid = c.gridH() * c.gridW();
        FloatArray stored = new FloatArray(storedGrid * e);
        int classRows = c.noEmbedClass() ? 0 : c.prefixTokens();
        if (c.posEmbed() && w.posEmbed.getSize() >= (classRows + storedGrid) * e) {
            stored.getSegment().copyFrom(w.posEmbed.getSegment().asSlice((long) classRows * e * Float.BYTES, (long) storedGrid * e * Float.BYTES));
        }
        weights.add(stored);
        if (!c.posEmbed() || (gridH == c.gridH() && gridW == c.gridW())) {
            return stored;
        }
        FloatArray pos = new FloatArray(gridH * gridW * e);
        if (c.posResample() == VitConfig.PosResample.BICUBIC_ANTIALIAS) {
            g.resampleBicubicAntialias("pos_embed.resample", stored, pos, c.gridH(), c.gridW(), gridH, gridW, e, 0, 0);
        } else if (c.posResample() == VitConfig.PosResample.BICUBIC) {
            g.resampleBicubic("pos_embed.resample", stored, pos, c.gridH(), c.gridW(), gridH, gridW, e, 0, 0);
        } else {
            g.bilinear("pos_embed.resample", stored, pos, 1, c.gridH(), c.gridW(), gridH, gridW, gridH, gridW, e, false, e, 0);
        }
        return pos;
    }

}
