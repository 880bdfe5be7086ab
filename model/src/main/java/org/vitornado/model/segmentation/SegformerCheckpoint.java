package org.vitornado.model.segmentation;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitornado.model.io.RenamedTensors;
import org.vitornado.model.io.Tensors;

/**
 * SegFormer checkpoints read by segmentation_models_pytorch's names, which the model uses: smp's own, or Hugging
 * Face {@code SegformerForSemanticSegmentation}, where {@code encoder.block1.0.attn.q.weight} is
 * {@code segformer.encoder.block.0.0.attention.self.query.weight} and smp's fused {@code attn.kv} is HF's {@code key}
 * and {@code value} stacked. HF numbers the decoder's per-stage MLPs shallow-first ({@code linear_c.0} = stage 1),
 * smp deepest-first ({@code mlp_stage.0} = stage 4).
 */
final class SegformerCheckpoint {

    private static final Pattern PATCH = Pattern.compile("encoder\\.patch_embed(\\d)\\.(proj|norm)\\.(.+)");
    private static final Pattern BLOCK = Pattern.compile("encoder\\.block(\\d)\\.(\\d+)\\.(.+)");
    private static final Pattern STAGE_NORM = Pattern.compile("encoder\\.norm(\\d)\\.(.+)");
    private static final Pattern MLP_STAGE = Pattern.compile("decoder\\.mlp_stage\\.(\\d)\\.linear\\.(.+)");

    private SegformerCheckpoint() {
    }

    /** {@code checkpoint} by smp's names; {@code huggingFace} says which names it has. */
    static Tensors smpNames(Tensors checkpoint, boolean huggingFace) {
        return huggingFace ? new RenamedTensors(checkpoint, SegformerCheckpoint::huggingFace) : checkpoint;
    }

    /** The HF name(s) of an smp name: two for {@code attn.kv} (key, value). */
    static List<String> huggingFace(String smp) {
        if (smp.contains(".attn.kv.")) {
            String q = hfName(smp.replace("attn.kv.", "attn.q."));
            return List.of(q.replace("attention.self.query.", "attention.self.key."), q.replace("attention.self.query.", "attention.self.value."));
        }
        return List.of(hfName(smp));
    }

    private static String hfName(String smp) {
        Matcher m = PATCH.matcher(smp);
        if (m.matches()) {
            return "segformer.encoder.patch_embeddings." + (Integer.parseInt(m.group(1)) - 1) + "."
                    + (m.group(2).equals("norm") ? "layer_norm" : "proj") + "." + m.group(3);
        }
        m = BLOCK.matcher(smp);
        if (m.matches()) {
            String rest = m.group(3).replace("norm1.", "layer_norm_1.").replace("norm2.", "layer_norm_2.")
                    .replace("attn.q.", "attention.self.query.").replace("attn.sr.", "attention.self.sr.")
                    .replace("attn.norm.", "attention.self.layer_norm.").replace("attn.proj.", "attention.output.dense.")
                    .replace("mlp.fc1.", "mlp.dense1.").replace("mlp.fc2.", "mlp.dense2.");
            return "segformer.encoder.block." + (Integer.parseInt(m.group(1)) - 1) + "." + m.group(2) + "." + rest;
        }
        m = STAGE_NORM.matcher(smp);
        if (m.matches()) {
            return "segformer.encoder.layer_norm." + (Integer.parseInt(m.group(1)) - 1) + "." + m.group(2);
        }
        m = MLP_STAGE.matcher(smp);
        if (m.matches()) {
            return "decode_head.linear_c." + (3 - Integer.parseInt(m.group(1))) + ".proj." + m.group(2);
        }
        if (smp.startsWith("decoder.fuse_stage.0.")) {
            return "decode_head.linear_fuse." + smp.substring("decoder.fuse_stage.0.".length());
        }
        if (smp.startsWith("decoder.fuse_stage.1.")) {
            return "decode_head.batch_norm." + smp.substring("decoder.fuse_stage.1.".length());
        }
        if (smp.startsWith("segmentation_head.0.")) {
            return "decode_head.classifier." + smp.substring("segmentation_head.0.".length());
        }
        return smp;
    }
}
