package org.vitornado.model.vit;

/**
 * The architecture of a plain Vision Transformer, in timm's terms ({@code timm.models.vision_transformer.VisionTransformer}).
 * Hugging Face {@code ViTModel}/{@code ViTForImageClassification} checkpoints map onto the same fields.
 *
 * @param imgH            pretraining image height (the position embedding's grid is imgH / patch)
 * @param imgW            pretraining image width
 * @param patch           patch size (conv kernel = stride)
 * @param inChans         image channels
 * @param embedDim        token width
 * @param depth           number of transformer blocks
 * @param numHeads        attention heads
 * @param mlpHidden       hidden width of each block's MLP
 * @param qkvBias         the qkv projection has a bias
 * @param projBias        the attention output projection and the MLP layers have biases
 * @param classToken      a class token is prepended
 * @param posEmbed        a learned absolute position embedding is added
 * @param noEmbedClass    the position embedding covers patch tokens only (timm {@code no_embed_class})
 * @param preNorm         a LayerNorm right after the position embedding (timm {@code pre_norm})
 * @param finalNorm       LayerNorm on all tokens after the blocks ({@code norm})
 * @param fcNorm          LayerNorm after pooling ({@code fc_norm})
 * @param pool            how tokens are reduced to one vector
 * @param numClasses      classifier outputs; 0 means no head (the pooled features are the output)
 * @param dynamicImgSize  the position embedding is resampled to whatever grid the input gives
 * @param eps             LayerNorm epsilon (timm 1e-6, Hugging Face {@code layer_norm_eps})
 * @param posResample     how the position embedding is resized to another grid
 * @param hybrid          the CNN whose feature map is embedded (timm's {@code HybridEmbed}: a ResNetV2, then a 1x1
 *                        projection, {@code patch == 1}); {@code null} for a plain ViT, which embeds patches of pixels
 */
public record VitConfig(
        int imgH, int imgW, int patch, int inChans,
        int embedDim, int depth, int numHeads, int mlpHidden,
        boolean qkvBias, boolean projBias,
        boolean classToken, boolean posEmbed, boolean noEmbedClass,
        boolean preNorm, boolean finalNorm, boolean fcNorm,
        Pool pool, int numClasses, boolean dynamicImgSize, float eps, PosResample posResample,
        org.vitornado.model.hybrid.ResNetV2Config hybrid) {

    /** Token pooling before the head. */
    public enum Pool {
        /** the class token ({@code global_pool='token'}) */
        TOKEN,
        /** mean over the patch tokens ({@code global_pool='avg'}) */
        AVG,
        /** no pooling: the head sees every token ({@code global_pool=''}) */
        NONE
    }

    /** How a position embedding is resized when the token grid differs from the pretraining grid. */
    public enum PosResample {
        /** timm {@code resample_abs_pos_embed}: bicubic, antialias=True (PIL-style kernel, a = -0.5) */
        BICUBIC_ANTIALIAS,
        /** Hugging Face {@code interpolate_pos_encoding}: plain bicubic, a = -0.75, align_corners=False */
        BICUBIC,
        /** Segmenter / DEPICT {@code resize_pos_embed}: bilinear, align_corners=False */
        BILINEAR
    }

    public VitConfig {
        org.vitornado.model.io.Limits.architecture(imgH, imgW, patch, inChans, embedDim, depth, numHeads, mlpHidden);
        org.vitornado.model.io.Limits.bound("num_classes", numClasses, 0, org.vitornado.model.io.Limits.MAX_CLASSES);
        require(patch > 0, "patch_size must be positive, got " + patch);
        require(imgH >= patch && imgW >= patch, "img_size " + imgH + "x" + imgW + " is smaller than patch_size " + patch);
        require(inChans > 0, "in_chans must be positive, got " + inChans);
        require(embedDim > 0 && depth >= 0 && numHeads > 0 && mlpHidden > 0, "embed_dim, depth, num_heads and the MLP width must be positive");
        require(embedDim % numHeads == 0, "embed_dim " + embedDim + " is not divisible by num_heads " + numHeads);
        require(numClasses >= 0, "num_classes must be >= 0, got " + numClasses);
        require(!(pool == Pool.TOKEN && !classToken), "global_pool='token' needs a class token");
        require(eps > 0, "LayerNorm eps must be positive, got " + eps);
        require(hybrid == null || patch == 1, "a hybrid ViT projects its CNN's map with patch_size 1, got " + patch);
    }

    /** A plain ViT (patches of pixels). */
    public VitConfig(int imgH, int imgW, int patch, int inChans, int embedDim, int depth, int numHeads, int mlpHidden, boolean qkvBias,
            boolean projBias, boolean classToken, boolean posEmbed, boolean noEmbedClass, boolean preNorm, boolean finalNorm, boolean fcNorm,
            Pool pool, int numClasses, boolean dynamicImgSize, float eps, PosResample posResample) {
        this(imgH, imgW, patch, inChans, embedDim, depth, numHeads, mlpHidden, qkvBias, projBias, classToken, posEmbed, noEmbedClass, preNorm,
                finalNorm, fcNorm, pool, numClasses, dynamicImgSize, eps, posResample, null);
    }

    /** This config with {@code backbone} embedded (timm's {@code HybridEmbed}). */
    public VitConfig withHybrid(org.vitornado.model.hybrid.ResNetV2Config backbone) {
        return new VitConfig(imgH, imgW, patch, inChans, embedDim, depth, numHeads, mlpHidden, qkvBias, projBias, classToken, posEmbed, noEmbedClass,
                preNorm, finalNorm, fcNorm, pool, numClasses, dynamicImgSize, eps, posResample, backbone);
    }

    /** Tokens along an input side of {@code size}: {@code size / patch}, or the hybrid CNN's "SAME" map side ({@code ceil}). */
    public int gridFor(int size) {
        return hybrid != null ? hybrid.outputSize(size) : size / patch;
    }

    /** Input pixels per token along a side. */
    public int stride() {
        return hybrid != null ? hybrid.stride() : patch;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public int headDim() {
        return embedDim / numHeads;
    }

    /** Tokens before the patch tokens (the class token, if any). */
    public int prefixTokens() {
        return classToken ? 1 : 0;
    }

    public int gridH() {
        return gridFor(imgH);
    }

    public int gridW() {
        return gridFor(imgW);
    }

    /** Rows of the position embedding tensor. */
    public int posEmbedRows() {
        return (noEmbedClass ? 0 : prefixTokens()) + gridH() * gridW();
    }

    /** A short human-readable name such as {@code ViT 768d x 12 blocks, 12 heads, patch 16, 224x224}. */
    public String describe() {
        return (hybrid != null ? "hybrid ViT (" + hybrid + ", stride " + hybrid.stride() + ")" : "ViT") + " " + embedDim + "d x " + depth + " blocks, "
                + numHeads + " heads, " + (hybrid != null ? "" : "patch " + patch + ", ")
                + imgH + "x" + imgW + ", MLP " + mlpHidden + ", pool " + pool.name().toLowerCase() + ", "
                + (numClasses > 0 ? numClasses + " classes" : "no head");
    }
}
