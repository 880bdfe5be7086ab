package org.vitornado.model.vit;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.RenamedTensors;
import org.vitornado.model.io.Tensors;

/**
 * ViT checkpoints read by timm's names ({@code VisionTransformer.state_dict()}), which the model uses: timm's own,
 * Hugging Face {@code ViTModel} / {@code ViTForImageClassification} ({@code vit.encoder.layer.N...}, with q, k and v
 * stacked into timm's {@code qkv}), and mmsegmentation's {@code VisionTransformer} ({@code backbone.layers.N...},
 * whose mmcv attention packs q, k, v as timm does).
 */
public final class VitCheckpoint {

    private static final Pattern BLOCK = Pattern.compile("blocks\\.(\\d+)\\.(norm1|attn\\.qkv|attn\\.proj|norm2|mlp\\.fc1|mlp\\.fc2)\\.(weight|bias)");
    private static final Pattern OTHER = Pattern.compile("(patch_embed\\.proj|norm_pre|norm|fc_norm|head)\\.(weight|bias)");

    private VitCheckpoint() {
    }

    /** {@code checkpoint} by timm's names, whichever of the three families wrote it. */
    public static Tensors timmNames(Tensors checkpoint) {
        if (checkpoint.contains("patch_embed.proj.weight")) {
            return checkpoint;
        }
        for (String prefix : new String[] {"backbone.", ""}) {
            if (checkpoint.contains(prefix + "patch_embed.projection.weight")) {
                return new RenamedTensors(checkpoint, name -> List.of(mmseg(prefix, name)));
            }
        }
        for (String prefix : new String[] {"vit.", "", "model.vit."}) {
            if (checkpoint.contains(prefix + "embeddings.patch_embeddings.projection.weight")) {
                return new RenamedTensors(checkpoint, name -> huggingFace(prefix, name));
            }
        }
        throw new ModelException(checkpoint.path() + ": no timm ('patch_embed.proj.weight'), Hugging Face "
                + "('vit.embeddings.patch_embeddings.projection.weight') or mmsegmentation ('backbone.patch_embed.projection.weight') "
                + "ViT parameter names found");
    }

    /** Hugging Face's name(s) for a timm name (under {@code p}: {@code vit.} in a classifier). */
    static List<String> huggingFace(String p, String timm) {
        Matcher b = BLOCK.matcher(timm);
        if (b.matches()) {
            String layer = p + "encoder.layer." + b.group(1) + ".";
            String param = b.group(3);
            return switch (b.group(2)) {
                case "attn.qkv" -> List.of(layer + "attention.attention.query." + param, layer + "attention.attention.key." + param,
                        layer + "attention.attention.value." + param);
                case "norm1" -> List.of(layer + "layernorm_before." + param);
                case "attn.proj" -> List.of(layer + "attention.output.dense." + param);
                case "norm2" -> List.of(layer + "layernorm_after." + param);
                case "mlp.fc1" -> List.of(layer + "intermediate.dense." + param);
                default -> List.of(layer + "output.dense." + param);
            };
        }
        return List.of(switch (timm) {
            case "cls_token" -> p + "embeddings.cls_token";
            case "pos_embed" -> p + "embeddings.position_embeddings";
            default -> {
                Matcher o = OTHER.matcher(timm);
                if (!o.matches()) {
                    yield timm;
                }
                yield switch (o.group(1)) {
                    case "patch_embed.proj" -> p + "embeddings.patch_embeddings.projection." + o.group(2);
                    case "norm" -> p + "layernorm." + o.group(2);
                    case "head" -> "classifier." + o.group(2);
                    default -> timm; // no pre-norm or fc_norm in Hugging Face's ViT: reported missing by name
                };
            }
        });
    }

    /** mmsegmentation's name for a timm name (under {@code p}: {@code backbone.} in a segmentor). */
    static String mmseg(String p, String timm) {
        Matcher b = BLOCK.matcher(timm);
        if (b.matches()) {
            String layer = p + "layers." + b.group(1) + ".";
            String param = b.group(3);
            return switch (b.group(2)) {
                case "attn.qkv" -> layer + "attn.attn.in_proj_" + param;
                case "norm1" -> layer + "ln1." + param;
                case "attn.proj" -> layer + "attn.attn.out_proj." + param;
                case "norm2" -> layer + "ln2." + param;
                case "mlp.fc1" -> layer + "ffn.layers.0.0." + param;
                default -> layer + "ffn.layers.1." + param;
            };
        }
        Matcher o = OTHER.matcher(timm);
        if (o.matches()) {
            return switch (o.group(1)) {
                case "patch_embed.proj" -> p + "patch_embed.projection." + o.group(2);
                case "norm_pre" -> p + "pre_ln." + o.group(2);
                case "norm" -> p + "ln1." + o.group(2);
                default -> timm; // no fc_norm or head in mmseg's backbone: reported missing by name
            };
        }
        return p + timm; // cls_token, pos_embed
    }
}
