package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.fixture.Fixture;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.TensorLoader;
import org.vitornado.model.segmentation.SegmentationModel;
import org.vitornado.model.segmentation.SegmentationModels;
import org.vitornado.model.segmentation.SegmentationPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.weights.SafetensorsFile;
import org.vitornado.weights.SafetensorsWriter;

/**
 * The segformer_tiny fixture's weights renamed to Hugging Face's {@code SegformerForSemanticSegmentation} names
 * (written out here, independently of the loader's own mapping; smp's fused kv split into key and value) with an HF
 * {@code config.json}: the same model must come out. HF uses LayerNorm eps 1e-5 where smp's MiT uses 1e-6 (an
 * effect far below the tolerance), and leaves logits at 1/4 resolution (compared there).
 */
class SegformerHuggingFaceTest {

    static final String CONFIG = """
            {"model_type": "segformer", "architectures": ["SegformerForSemanticSegmentation"], "num_channels": 3,
             "num_encoder_blocks": 4, "depths": [1, 1, 1, 1], "sr_ratios": [8, 4, 2, 1], "hidden_sizes": [16, 32, 48, 64],
             "patch_sizes": [7, 3, 3, 3], "strides": [4, 2, 2, 2], "num_attention_heads": [1, 2, 3, 4], "mlp_ratios": [4, 4, 4, 4],
             "hidden_act": "gelu", "decoder_hidden_size": 32, "layer_norm_eps": 1e-6, "image_size": 64,
             "id2label": {"0": "sky", "1": "tree", "2": "road", "3": "grass", "4": "water", "5": "building"}}
            """;

    static String hfName(String smp) {
        String[] p = smp.split("\\.");
        if (smp.startsWith("encoder.patch_embed")) {
            int s = Integer.parseInt(p[1].substring("patch_embed".length())) - 1;
            return "segformer.encoder.patch_embeddings." + s + "." + (p[2].equals("norm") ? "layer_norm" : "proj") + "." + p[3];
        }
        if (smp.startsWith("encoder.block")) {
            int s = Integer.parseInt(p[1].substring("block".length())) - 1;
            String rest = String.join(".", Arrays.copyOfRange(p, 3, p.length));
            rest = switch (p[3]) {
                case "norm1" -> "layer_norm_1." + p[4];
                case "norm2" -> "layer_norm_2." + p[4];
                case "attn" -> switch (p[4]) {
                    case "q" -> "attention.self.query." + p[5];
                    case "sr" -> "attention.self.sr." + p[5];
                    case "norm" -> "attention.self.layer_norm." + p[5];
                    case "proj" -> "attention.output.dense." + p[5];
                    default -> throw new IllegalArgumentException(smp);
                };
                case "mlp" -> p[4].equals("fc1") ? "mlp.dense1." + p[5] : p[4].equals("fc2") ? "mlp.dense2." + p[5] : rest;
                default -> throw new IllegalArgumentException(smp);
            };
            return "segformer.encoder.block." + s + "." + p[2] + "." + rest;
        }
        if (smp.startsWith("encoder.norm")) {
            return "segformer.encoder.layer_norm." + (Integer.parseInt(p[1].substring("norm".length())) - 1) + "." + p[2];
        }
        if (smp.startsWith("decoder.mlp_stage.")) {
            return "decode_head.linear_c." + (3 - Integer.parseInt(p[2])) + ".proj." + p[4];
        }
        return smp.replace("decoder.fuse_stage.0.", "decode_head.linear_fuse.").replace("decoder.fuse_stage.1.", "decode_head.batch_norm.")
                .replace("segmentation_head.0.", "decode_head.classifier.");
    }

    @Test
    void huggingFaceNamesGiveTheSameModel(@TempDir Path dir) throws IOException {
        Fixture fixture = Fixture.read(Fixtures.prefix("segformer_tiny"));
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile smp = SafetensorsFile.open(fixture.weights())) {
            for (String name : smp.names()) {
                if (!smp.info(name).dtype().isFloat()) {
                    continue;
                }
                float[] v = smp.readFloats(name);
                long[] shape = smp.info(name).shape();
                if (name.contains(".attn.kv.")) {
                    int half = v.length / 2;
                    long[] s = shape.clone();
                    s[0] /= 2;
                    String q = hfName(name.replace(".attn.kv.", ".attn.q."));
                    w.add(q.replace(".query.", ".key."), Arrays.copyOfRange(v, 0, half), s);
                    w.add(q.replace(".query.", ".value."), Arrays.copyOfRange(v, half, v.length), s);
                } else {
                    w.add(hfName(name), v, shape);
                }
            }
        }
        w.write(dir.resolve("model.safetensors"), false);
        Files.writeString(dir.resolve("config.json"), CONFIG);

        SegmentationModel model = SegmentationModels.read(Json.readObject(dir.resolve("config.json")), dir.resolve("config.json"));
        assertEquals(6, model.classes());
        Map<String, float[]> got;
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve("model.safetensors"));
                SegmentationPlan plan = model.plan(new TensorLoader(file), 1, 64, 64, ExecutionOptions.defaults())) {
            plan.run(fixture.values("x"));
            got = plan.outputs();
        }
        for (String name : List.of("stage1", "stage2", "stage3", "stage4", "decoder", "logits_lowres")) {
            Comparison c = Comparison.of(got.get(name), fixture.values(name));
            assertTrue(c.within(1e-4), name + ": relative L2 " + c.relativeL2());
        }
        assertEquals(6 * 64 * 64, got.get("logits").length, "HF logits are upsampled to the input for segment");
    }
}
