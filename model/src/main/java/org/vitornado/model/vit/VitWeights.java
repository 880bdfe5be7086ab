package org.vitornado.model.vit;

import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.Tensors;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A ViT's parameters as off-heap arrays, in timm's layout (Linear weights {@code [out, in]}, qkv stacked as
 * q, k, v). Loaded from timm names ({@code blocks.0.attn.qkv.weight}) or Hugging Face names
 * ({@code vit.encoder.layer.0.attention.attention.query.weight}); absent optional tensors (biases of layers built
 * without one, a missing class token or norm) become zeros or null as the config says.
 */
public final class VitWeights {

    /** One transformer block. */
    public record Block(FloatArray norm1W, FloatArray norm1B, FloatArray qkvW, FloatArray qkvB,
            FloatArray projW, FloatArray projB, FloatArray norm2W, FloatArray norm2B,
            FloatArray fc1W, FloatArray fc1B, FloatArray fc2W, FloatArray fc2B) {
    }

    public final FloatArray patchW;
    public final FloatArray patchB;
    /** {@code [embed]}, or zeros without a class token. */
    public final FloatArray clsToken;
    /** {@code [posEmbedRows, embed]}, or null without a position embedding. */
    public final FloatArray posEmbed;
    public final FloatArray preNormW;
    public final FloatArray preNormB;
    public final Block[] blocks;
    /** Final norm over all tokens ({@code norm}), or null. */
    public final FloatArray normW;
    public final FloatArray normB;
    /** Norm after pooling ({@code fc_norm}), or null. */
    public final FloatArray fcNormW;
    public final FloatArray fcNormB;
    /** Classifier, or null without a head. */
    public final FloatArray headW;
    public final FloatArray headB;

    private VitWeights(VitConfig c, Tensors t, Names n) {
        long e = c.embedDim();
        long hidden = c.mlpHidden();
        patchW = t.load(n.patchW(), e, c.inChans(), c.patch(), c.patch());
        patchB = t.loadOrZeros(n.patchB(), e);
        clsToken = c.classToken() ? t.load(n.clsToken(), 1, 1, e) : new FloatArray((int) e);
        posEmbed = c.posEmbed() ? t.load(n.posEmbed(), 1, c.posEmbedRows(), e) : null;
        preNormW = c.preNorm() ? t.load(n.preNorm("weight"), e) : null;
        preNormB = c.preNorm() ? t.load(n.preNorm("bias"), e) : null;
        blocks = new Block[c.depth()];
        for (int i = 0; i < blocks.length; i++) {
            FloatArray qkvW = n.hasSplitQkv()
                    ? t.stack(n.splitQkv(i, "weight"), e, e)
                    : t.load(n.qkv(i, "weight"), 3 * e, e);
            FloatArray qkvB = !c.qkvBias() ? new FloatArray((int) (3 * e))
                    : n.hasSplitQkv() ? t.stack(n.splitQkv(i, "bias"), e) : t.load(n.qkv(i, "bias"), 3 * e);
            blocks[i] = new Block(
                    t.load(n.block(i, "norm1", "weight"), e), t.load(n.block(i, "norm1", "bias"), e),
                    qkvW, qkvB,
                    t.load(n.block(i, "proj", "weight"), e, e), optionalBias(c, t, n.block(i, "proj", "bias"), e),
                    t.load(n.block(i, "norm2", "weight"), e), t.load(n.block(i, "norm2", "bias"), e),
                    t.load(n.block(i, "fc1", "weight"), hidden, e), optionalBias(c, t, n.block(i, "fc1", "bias"), hidden),
                    t.load(n.block(i, "fc2", "weight"), e, hidden), optionalBias(c, t, n.block(i, "fc2", "bias"), e));
        }
        normW = c.finalNorm() ? t.load(n.norm("weight"), e) : null;
        normB = c.finalNorm() ? t.load(n.norm("bias"), e) : null;
        fcNormW = c.fcNorm() ? t.load(n.fcNorm("weight"), e) : null;
        fcNormB = c.fcNorm() ? t.load(n.fcNorm("bias"), e) : null;
        headW = c.numClasses() > 0 ? t.load(n.head("weight"), c.numClasses(), e) : null;
        headB = c.numClasses() > 0 ? t.load(n.head("bias"), c.numClasses()) : null;
    }

    private static FloatArray optionalBias(VitConfig c, Tensors t, String name, long n) {
        return c.projBias() ? t.load(name, n) : t.loadOrZeros(name, n);
    }

    /** Loads every parameter of {@code config} from {@code tensors}, detecting timm or Hugging Face names. */
    public static VitWeights load(VitConfig config, Tensors tensors) {
        Names names = Names.detect(tensors);
        return new VitWeights(config, tensors, names);
    }

    /** Number of scalar parameters the config implies (what {@code info} reports). */
    public static long parameterCount(VitConfig c) {
        long e = c.embedDim();
        long h = c.mlpHidden();
        long perBlock = 4 * e + (3 * e * e + 3 * e) + (e * e + e) + (h * e + h) + (e * h + e);
        long n = e * c.inChans() * c.patch() * c.patch() + e + c.depth() * perBlock;
        n += c.classToken() ? e : 0;
        n += c.posEmbed() ? (long) c.posEmbedRows() * e : 0;
        n += c.preNorm() ? 2 * e : 0;
        n += c.finalNorm() || c.fcNorm() ? 2 * e : 0;
        n += c.numClasses() > 0 ? (long) c.numClasses() * e + c.numClasses() : 0;
        return n;
    }

    /** Parameter names of one checkpoint family. */
    interface Names {
        String patchW();

        String patchB();

        String clsToken();

        String posEmbed();

        String preNorm(String param);

        boolean hasSplitQkv();

        String qkv(int block, String param);

        String[] splitQkv(int block, String param);

        /** {@code part} is one of norm1, proj, norm2, fc1, fc2. */
        String block(int block, String part, String param);

        String norm(String param);

        String fcNorm(String param);

        String head(String param);

        static Names detect(Tensors t) {
            if (t.contains("patch_embed.proj.weight")) {
                return new TimmNames();
            }
            for (String prefix : new String[] {"backbone.", ""}) {
                if (t.contains(prefix + "patch_embed.projection.weight")) {
                    return new MmsegNames(prefix);
                }
            }
            for (String prefix : new String[] {"vit.", "", "model.vit."}) {
                if (t.contains(prefix + "embeddings.patch_embeddings.projection.weight")) {
                    return new HuggingFaceNames(prefix);
                }
            }
            throw new ModelException(t.path() + ": no timm ('patch_embed.proj.weight'), Hugging Face "
                    + "('vit.embeddings.patch_embeddings.projection.weight') or mmsegmentation ('backbone.patch_embed.projection.weight') "
                    + "ViT parameter names found");
        }
    }

    /** timm {@code VisionTransformer.state_dict()} names. */
    record TimmNames() implements Names {
        public String patchW() { return "patch_embed.proj.weight"; }
        public String patchB() { return "patch_embed.proj.bias"; }
        public String clsToken() { return "cls_token"; }
        public String posEmbed() { return "pos_embed"; }
        public String preNorm(String p) { return "norm_pre." + p; }
        public boolean hasSplitQkv() { return false; }
        public String qkv(int b, String p) { return "blocks." + b + ".attn.qkv." + p; }
        public String[] splitQkv(int b, String p) { throw new UnsupportedOperationException(); }
        public String block(int b, String part, String p) {
            String module = switch (part) {
                case "proj" -> "attn.proj";
                case "fc1" -> "mlp.fc1";
                case "fc2" -> "mlp.fc2";
                default -> part;
            };
            return "blocks." + b + "." + module + "." + p;
        }
        public String norm(String p) { return "norm." + p; }
        public String fcNorm(String p) { return "fc_norm." + p; }
        public String head(String p) { return "head." + p; }
    }

    /** Hugging Face {@code ViTModel} / {@code ViTForImageClassification} names under {@code prefix}. */
    record HuggingFaceNames(String prefix) implements Names {
        public String patchW() { return prefix + "embeddings.patch_embeddings.projection.weight"; }
        public String patchB() { return prefix + "embeddings.patch_embeddings.projection.bias"; }
        public String clsToken() { return prefix + "embeddings.cls_token"; }
        public String posEmbed() { return prefix + "embeddings.position_embeddings"; }
        public String preNorm(String p) { throw new ModelException("Hugging Face ViT has no pre-norm"); }
        public boolean hasSplitQkv() { return true; }
        public String qkv(int b, String p) { throw new UnsupportedOperationException(); }
        public String[] splitQkv(int b, String p) {
            String base = layer(b) + "attention.attention.";
            return new String[] {base + "query." + p, base + "key." + p, base + "value." + p};
        }
        public String block(int b, String part, String p) {
            String module = switch (part) {
                case "norm1" -> "layernorm_before";
                case "proj" -> "attention.output.dense";
                case "norm2" -> "layernorm_after";
                case "fc1" -> "intermediate.dense";
                case "fc2" -> "output.dense";
                default -> throw new IllegalArgumentException(part);
            };
            return layer(b) + module + "." + p;
        }
        private String layer(int b) { return prefix + "encoder.layer." + b + "."; }
        public String norm(String p) { return prefix + "layernorm." + p; }
        public String fcNorm(String p) { throw new ModelException("Hugging Face ViT has no fc_norm"); }
        public String head(String p) { return "classifier." + p; }
    }

    /**
     * mmsegmentation {@code VisionTransformer} names under {@code prefix} ({@code backbone.} in a segmentor): mmcv's
     * {@code MultiheadAttention} packs q, k, v as timm does ({@code attn.attn.in_proj_weight}); the FFN is
     * {@code ffn.layers.0.0} and {@code ffn.layers.1}; the final norm is {@code ln1}.
     */
    record MmsegNames(String prefix) implements Names {
        public String patchW() { return prefix + "patch_embed.projection.weight"; }
        public String patchB() { return prefix + "patch_embed.projection.bias"; }
        public String clsToken() { return prefix + "cls_token"; }
        public String posEmbed() { return prefix + "pos_embed"; }
        public String preNorm(String p) { return prefix + "pre_ln." + p; }
        public boolean hasSplitQkv() { return false; }
        public String qkv(int b, String p) { return layer(b) + "attn.attn.in_proj_" + p; }
        public String[] splitQkv(int b, String p) { throw new UnsupportedOperationException(); }
        public String block(int b, String part, String p) {
            String module = switch (part) {
                case "norm1" -> "ln1";
                case "proj" -> "attn.attn.out_proj";
                case "norm2" -> "ln2";
                case "fc1" -> "ffn.layers.0.0";
                case "fc2" -> "ffn.layers.1";
                default -> throw new IllegalArgumentException(part);
            };
            return layer(b) + module + "." + p;
        }
        private String layer(int b) { return prefix + "layers." + b + "."; }
        public String norm(String p) { return prefix + "ln1." + p; }
        public String fcNorm(String p) { throw new ModelException("mmsegmentation's ViT has no fc_norm"); }
        public String head(String p) { throw new ModelException("mmsegmentation's ViT backbone has no classifier head"); }
    }
}
