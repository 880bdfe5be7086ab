package org.vitornado.model.vit;

import org.vitornado.model.hybrid.ResNetV2;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.layers.BlockWeights;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.nn.PatchEmbed;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A ViT's parameters as off-heap arrays, by timm's names and in timm's layout (Linear weights {@code [out, in]},
 * qkv stacked as q, k, v); other checkpoints are read through {@link VitCheckpoint}. Absent optional parts (a class
 * token, norms, the head) are {@code null} or zeros as the config says.
 *
 * @param clsToken {@code [embed]}, or zeros without a class token
 * @param posEmbed {@code [posEmbedRows, embed]}, or {@code null} without a position embedding
 * @param norm     the final norm over all tokens, or {@code null}
 * @param fcNorm   the norm after pooling, or {@code null}
 * @param head     the classifier, or {@code null}
 * @param backbone a hybrid ViT's CNN ({@code patch_embed.backbone.*}), whose map {@code patchEmbed} projects; else {@code null}
 */
public record VitWeights(PatchEmbed patchEmbed, FloatArray clsToken, FloatArray posEmbed, LayerNorm preNorm, BlockWeights[] blocks,
        LayerNorm norm, LayerNorm fcNorm, Linear head, ResNetV2 backbone) {

    /** Loads every parameter of {@code c} from {@code checkpoint} (timm, Hugging Face or mmsegmentation names). */
    public static VitWeights load(VitConfig c, Tensors checkpoint) {
        Tensors t = VitCheckpoint.timmNames(checkpoint);
        int e = c.embedDim();
        float eps = c.eps();
        ResNetV2 backbone = c.hybrid() == null ? null : ResNetV2.load(c.hybrid(), t.withPrefix("patch_embed.backbone."), c.inChans());
        // A hybrid's projection is a 1x1 conv from the CNN's channels: a patch embedding of patch 1 on its map.
        int projIn = c.hybrid() == null ? c.inChans() : c.hybrid().outChannels();
        PatchEmbed patch = new PatchEmbed(t.load("patch_embed.proj.weight", e, projIn, c.patch(), c.patch()),
                t.loadOrZeros("patch_embed.proj.bias", e), projIn, e, c.patch());
        BlockWeights[] blocks = new BlockWeights[c.depth()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = BlockWeights.load(t, "blocks." + i + ".", e, c.mlpHidden(), c.qkvBias(), c.projBias(), eps);
        }
        return new VitWeights(patch,
                c.classToken() ? t.load("cls_token", 1, 1, e) : new FloatArray(e),
                c.posEmbed() ? t.load("pos_embed", 1, c.posEmbedRows(), e) : null,
                c.preNorm() ? BlockWeights.norm(t, "norm_pre", e, eps) : null,
                blocks,
                c.finalNorm() ? BlockWeights.norm(t, "norm", e, eps) : null,
                c.fcNorm() ? BlockWeights.norm(t, "fc_norm", e, eps) : null,
                c.numClasses() > 0 ? new Linear(t.load("head.weight", c.numClasses(), e), t.load("head.bias", c.numClasses()), e, c.numClasses()) : null,
                backbone);
    }

    /** Number of scalar parameters the config implies (what {@code info} reports). */
    public static long parameterCount(VitConfig c) {
        long e = c.embedDim();
        long h = c.mlpHidden();
        long perBlock = 4 * e + (3 * e * e + 3 * e) + (e * e + e) + (h * e + h) + (e * h + e);
        long n = c.hybrid() == null ? e * c.inChans() * c.patch() * c.patch() + e + c.depth() * perBlock
                : c.hybrid().parameterCount(c.inChans()) + e * c.hybrid().outChannels() + e + c.depth() * perBlock;
        n += c.classToken() ? e : 0;
        n += c.posEmbed() ? (long) c.posEmbedRows() * e : 0;
        n += c.preNorm() ? 2 * e : 0;
        n += c.finalNorm() || c.fcNorm() ? 2 * e : 0;
        n += c.numClasses() > 0 ? (long) c.numClasses() * e + c.numClasses() : 0;
        return n;
    }
}
