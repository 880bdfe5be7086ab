package org.vitornado.model.segmentation;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitornado.model.io.Tensors;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Hugging Face {@code SegformerForSemanticSegmentation} checkpoints read by smp's parameter names, which the model
 * uses: {@code encoder.block1.0.attn.q.weight} is {@code segformer.encoder.block.0.0.attention.self.query.weight},
 * and smp's fused {@code attn.kv} is HF's {@code key} and {@code value} stacked. HF numbers the decoder's per-stage
 * MLPs shallow-first ({@code linear_c.0} = stage 1), smp deepest-first ({@code mlp_stage.0} = stage 4).
 */
final class SegformerHfTensors implements Tensors {

    private static final Pattern PATCH = Pattern.compile("encoder\\.patch_embed(\\d)\\.(proj|norm)\\.(.+)");
    private static final Pattern BLOCK = Pattern.compile("encoder\\.block(\\d)\\.(\\d+)\\.(.+)");
    private static final Pattern STAGE_NORM = Pattern.compile("encoder\\.norm(\\d)\\.(.+)");
    private static final Pattern MLP_STAGE = Pattern.compile("decoder\\.mlp_stage\\.(\\d)\\.linear\\.(.+)");

    private final Tensors hf;

    SegformerHfTensors(Tensors hf) {
        this.hf = hf;
    }

    /** The HF name of an smp name (the kv pair excepted). */
    static String hfName(String smp) {
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

    /** {@code attn.kv.weight} / {@code .bias}: HF's key and value, in that order. */
    private static String[] keyValue(String smp) {
        String hf = hfName(smp.replace("attn.kv.", "attn.q."));
        return new String[] {hf.replace("attention.self.query.", "attention.self.key."), hf.replace("attention.self.query.", "attention.self.value.")};
    }

    private static boolean isKv(String smp) {
        return smp.contains(".attn.kv.");
    }

    @Override
    public Path path() {
        return hf.path();
    }

    @Override
    public boolean contains(String name) {
        if (isKv(name)) {
            String[] kv = keyValue(name);
            return hf.contains(kv[0]) && hf.contains(kv[1]);
        }
        return hf.contains(hfName(name));
    }

    @Override
    public long[] shape(String name) {
        return hf.shape(hfName(name));
    }

    @Override
    public FloatArray load(String name, long... shape) {
        if (isKv(name)) {
            long[] half = shape.clone();
            half[0] /= 2;
            return hf.stack(keyValue(name), half);
        }
        return hf.load(hfName(name), shape);
    }

    @Override
    public FloatArray loadOrZeros(String name, long... shape) {
        return contains(name) ? load(name, shape) : hf.loadOrZeros(hfName(name), shape);
    }

    @Override
    public FloatArray stack(String[] names, long... partShape) {
        String[] mapped = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            mapped[i] = hfName(names[i]);
        }
        return hf.stack(mapped, partShape);
    }

    @Override
    public boolean placeholder() {
        return hf.placeholder();
    }
}
