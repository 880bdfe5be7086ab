package org.vitornado.model.detr;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.RenamedTensors;
import org.vitornado.model.io.Tensors;

/**
 * DETR checkpoints read by facebookresearch/detr's names, which the model uses: the original ones (a
 * {@code .safetensors} conversion of the released {@code .pth}, {@code tools/convert_detr.py}) and Hugging Face
 * {@code DetrForObjectDetection}'s (timm backbone), mapped as transformers'
 * {@code convert_detr_original_pytorch_checkpoint_to_pytorch.py} maps them, backwards: {@code backbone.0.body} ->
 * {@code model.backbone.conv_encoder.model}, each {@code in_proj_weight} = {@code q_proj | k_proj | v_proj} stacked,
 * {@code linear1} -> {@code fc1}, {@code norm1} -> {@code self_attn_layer_norm}, {@code query_embed} ->
 * {@code query_position_embeddings}, ...
 */
public final class DetrCheckpoint {

    private static final Pattern ENCODER = Pattern.compile("transformer\\.encoder\\.layers\\.(\\d+)\\.(.+)");
    private static final Pattern DECODER = Pattern.compile("transformer\\.decoder\\.layers\\.(\\d+)\\.(.+)");

    private DetrCheckpoint() {
    }

    /** {@code checkpoint} by DETR's own names, whichever of the two wrote it. */
    public static Tensors detrNames(Tensors checkpoint) {
        if (checkpoint.contains("query_embed.weight")) {
            return checkpoint;
        }
        if (checkpoint.contains("model.query_position_embeddings.weight")) {
            return new RenamedTensors(checkpoint, DetrCheckpoint::huggingFace);
        }
        throw new ModelException(checkpoint.path() + ": no DETR ('query_embed.weight') or Hugging Face DetrForObjectDetection "
                + "('model.query_position_embeddings.weight') parameter names found");
    }

    /** Hugging Face's name(s) for a DETR name. */
    static List<String> huggingFace(String detr) {
        if (detr.startsWith("backbone.0.body.")) {
            return List.of("model.backbone.conv_encoder.model." + detr.substring("backbone.0.body.".length()));
        }
        Matcher e = ENCODER.matcher(detr);
        if (e.matches()) {
            return layer("model.encoder.layers." + e.group(1) + ".", e.group(2), false);
        }
        Matcher d = DECODER.matcher(detr);
        if (d.matches()) {
            return layer("model.decoder.layers." + d.group(1) + ".", d.group(2), true);
        }
        return List.of(switch (detr) {
            case "input_proj.weight" -> "model.input_projection.weight";
            case "input_proj.bias" -> "model.input_projection.bias";
            case "query_embed.weight" -> "model.query_position_embeddings.weight";
            case "transformer.decoder.norm.weight" -> "model.decoder.layernorm.weight";
            case "transformer.decoder.norm.bias" -> "model.decoder.layernorm.bias";
            case "class_embed.weight" -> "class_labels_classifier.weight";
            case "class_embed.bias" -> "class_labels_classifier.bias";
            default -> detr.startsWith("bbox_embed.") ? "bbox_predictor." + detr.substring("bbox_embed.".length()) : detr;
        });
    }

    private static List<String> layer(String p, String rest, boolean decoder) {
        String attn = rest.startsWith("multihead_attn.") ? "encoder_attn" : "self_attn";
        String param = rest.substring(rest.lastIndexOf('.') + 1);
        if (rest.endsWith(".in_proj_weight") || rest.endsWith(".in_proj_bias")) {
            String kind = param.equals("in_proj_weight") ? "weight" : "bias";
            return List.of(p + attn + ".q_proj." + kind, p + attn + ".k_proj." + kind, p + attn + ".v_proj." + kind);
        }
        if (rest.contains(".out_proj.")) {
            return List.of(p + attn + ".out_proj." + param);
        }
        String module = rest.substring(0, rest.indexOf('.'));
        String renamed = switch (module) {
            case "linear1" -> "fc1";
            case "linear2" -> "fc2";
            case "norm1" -> "self_attn_layer_norm";
            case "norm2" -> decoder ? "encoder_attn_layer_norm" : "final_layer_norm";
            case "norm3" -> "final_layer_norm";
            default -> module;
        };
        return List.of(p + renamed + "." + param);
    }
}
