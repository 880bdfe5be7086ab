package org.vitornado.model.vit;

import java.util.ArrayList;
import java.util.List;

import org.vitornado.model.hybrid.ResNetV2;
import org.vitornado.model.layers.PositionEmbedding;
import org.vitornado.model.layers.TransformerBlock;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.ops.ResampleOps;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Image;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The token path of a ViT, shared by the classifier ({@link VitPlan}) and the segmenters that put a decoder on its
 * tokens, as timm's {@code VisionTransformer.forward_features}:
 * <pre>
 *   [resample pos-embed] -> patch_embed(+cls, +pos) -> [norm_pre] -> blocks x depth -> [norm]
 * </pre>
 * One plan section per block, so task graphs break between blocks.
 */
public final class VitEncoder {

    /**
     * The final tokens {@code [batch, prefix + gridH * gridW, embed]}, one map per requested tap, and for a hybrid ViT
     * its CNN's maps and their projection (else {@code null}).
     */
    public record Encoded(Tokens tokens, List<Tokens> taps, ResNetV2.Maps backbone, Tokens projected) {
    }

    private VitEncoder() {
    }

    /** The encoder on {@code image}; returns its final tokens (class token first), after the final norm if any. */
    public static Tokens add(PlanBuilder g, VitConfig c, VitWeights w, Image image) {
        return add(g, c, w, image, new int[0]).tokens();
    }

    /**
     * As {@link #add(PlanBuilder, VitConfig, VitWeights, Image)}, also copying the patch tokens (prefix dropped) after
     * each block in {@code taps} into rows of their own, as mmsegmentation's {@code out_indices} does (the last
     * block's tap comes after the final norm, if any).
     */
    public static Encoded add(PlanBuilder g, VitConfig c, VitWeights w, Image image, int[] taps) {
        int gridH = c.gridFor(image.height());
        int gridW = c.gridFor(image.width());
        int patches = gridH * gridW;
        int prefix = c.prefixTokens();
        int e = c.embedDim();
        int batch = image.batch();
        Tokens x = Tokens.allocate(batch, prefix + patches, e);
        TransformerBlock.Scratch scratch = TransformerBlock.Scratch.allocate(batch, prefix + patches, e, c.mlpHidden());
        List<Tokens> tapped = new ArrayList<>();
        for (int tap : taps) {
            if (tap < 0 || tap >= c.depth()) {
                throw new IllegalArgumentException("out index " + tap + " is not a block (0.." + (c.depth() - 1) + ")");
            }
            tapped.add(Tokens.allocate(batch, patches, e));
        }

        FloatArray pos = PositionEmbedding.forGrid(g, c.posEmbed() ? w.posEmbed() : null, c.noEmbedClass() ? 0 : prefix, c.gridH(), c.gridW(),
                gridH, gridW, e, filter(c.posResample()));
        ResNetV2.Maps maps = null;
        Tokens projected = null;
        if (w.backbone() != null) {
            // HybridEmbed: the CNN on the channels-last image, its map through the 1x1 projection, then class token and position.
            FeatureMap pixels = FeatureMap.allocate(batch, image.height(), image.width(), image.channels());
            g.section("patch_embed.backbone").channelsLast("patch_embed.pixels", image, pixels);
            maps = w.backbone().add(g, "patch_embed.backbone.", pixels);
            FeatureMap features = maps.features();
            projected = Tokens.allocate(batch, patches, e);
            Linear proj = new Linear(w.patchEmbed().weight(), w.patchEmbed().bias(), features.channels(), e);
            g.section("patch_embed").linear("patch_embed.proj", features.tokens(), proj, projected)
                    .embedTokens("patch_embed", projected, classTokenWithPosition(c, w), pos, x);
        } else {
            g.section("patch_embed").patchEmbed("patch_embed", image, w.patchEmbed(), classTokenWithPosition(c, w), pos, x);
        }
        if (c.preNorm()) {
            g.layerNorm("norm_pre", x, w.preNorm(), x);
        }
        for (int i = 0; i < c.depth(); i++) {
            String p = "blocks." + i + ".";
            g.section("blocks." + i);
            TransformerBlock.add(g, p, w.blocks()[i], x, scratch, TransformerBlock.global(c.numHeads()));
            for (int k = 0; k < taps.length; k++) {
                if (taps[k] != i) {
                    continue;
                }
                Tokens source = x;
                if (i == c.depth() - 1 && c.finalNorm()) {
                    g.layerNorm(p + "tap.norm", x, w.norm(), scratch.h());
                    source = scratch.h();
                }
                g.copyRows(p + "tap", source, prefix, tapped.get(k), 0, patches);
            }
        }
        if (c.finalNorm()) {
            g.section("norm").layerNorm("norm", x, w.norm(), x);
        }
        return new Encoded(x, tapped, maps, projected);
    }

    static ResampleOps.Filter filter(VitConfig.PosResample r) {
        return switch (r) {
            case BICUBIC_ANTIALIAS -> ResampleOps.Filter.BICUBIC_ANTIALIAS;
            case BICUBIC -> ResampleOps.Filter.BICUBIC;
            case BILINEAR -> ResampleOps.Filter.BILINEAR;
        };
    }

    /** The class token with its position embedding added (once, on the host); zeros without a class token. */
    private static FloatArray classTokenWithPosition(VitConfig c, VitWeights w) {
        int e = c.embedDim();
        FloatArray cls = new FloatArray(e);
        boolean hasData = w.clsToken().getSize() >= e; // placeholder weights (inspection only) hold no data
        if (c.classToken() && hasData) {
            boolean classPos = c.posEmbed() && !c.noEmbedClass();
            for (int i = 0; i < e; i++) {
                cls.set(i, w.clsToken().get(i) + (classPos ? w.posEmbed().get(i) : 0f));
            }
        }
        return cls;
    }
}
