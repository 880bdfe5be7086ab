package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitornado.model.detr.DetrConfig;
import org.vitornado.model.detr.DetrInput;
import org.vitornado.model.detr.DetrModel;
import org.vitornado.model.detr.DetrPlan;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.fixture.Fixture;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.TensorLoader;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.weights.SafetensorsFile;
import org.vitornado.weights.SafetensorsWriter;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * DETR beyond the fixtures' forward pass: Hugging Face's names, its config, DETR's resize rule, and the presets'
 * parameter counts against the upstream models'.
 */
class DetrTest {

    /**
     * Hugging Face's {@code DetrForObjectDetection} name of an original DETR name, written out here from transformers'
     * {@code convert_detr_original_pytorch_checkpoint_to_pytorch.py} (independently of the loader's own mapping);
     * {@code in_proj} is split into q, k and v by the caller.
     */
    static String hfName(String detr) {
        String n = detr.replace("backbone.0.body.", "model.backbone.conv_encoder.model.");
        if (n.startsWith("transformer.encoder.layers.") || n.startsWith("transformer.decoder.layers.")) {
            boolean decoder = n.startsWith("transformer.decoder");
            n = "model." + n.substring("transformer.".length());
            n = n.replace(".multihead_attn.", ".encoder_attn.").replace(".linear1.", ".fc1.").replace(".linear2.", ".fc2.")
                    .replace(".norm1.", ".self_attn_layer_norm.");
            n = decoder ? n.replace(".norm2.", ".encoder_attn_layer_norm.").replace(".norm3.", ".final_layer_norm.") : n.replace(".norm2.", ".final_layer_norm.");
            return n;
        }
        return switch (n) {
            case "input_proj.weight", "input_proj.bias" -> "model.input_projection." + n.substring(n.indexOf('.') + 1);
            case "query_embed.weight" -> "model.query_position_embeddings.weight";
            case "transformer.decoder.norm.weight", "transformer.decoder.norm.bias" -> "model.decoder.layernorm." + n.substring(n.lastIndexOf('.') + 1);
            default -> n.replace("class_embed.", "class_labels_classifier.").replace("bbox_embed.", "bbox_predictor.");
        };
    }

    @Test
    void huggingFaceNamesGiveTheSameModel(@TempDir Path dir) throws IOException {
        Fixture fixture = Fixture.read(Fixtures.prefix("detr_r50"));
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile original = SafetensorsFile.open(fixture.weights())) {
            for (String name : original.names()) {
                float[] v = original.readFloats(name);
                long[] shape = original.info(name).shape();
                if (name.endsWith(".in_proj_weight") || name.endsWith(".in_proj_bias")) {
                    String kind = name.endsWith("weight") ? "weight" : "bias";
                    String base = hfName(name.substring(0, name.lastIndexOf('.')) + ".out_proj.weight").replace(".out_proj.weight", "");
                    long[] part = shape.clone();
                    part[0] /= 3;
                    int n = v.length / 3;
                    String[] qkv = {"q_proj", "k_proj", "v_proj"};
                    for (int i = 0; i < 3; i++) {
                        w.add(base + "." + qkv[i] + "." + kind, Arrays.copyOfRange(v, i * n, (i + 1) * n), part);
                    }
                } else {
                    w.add(hfName(name), v, shape);
                }
            }
        }
        Path renamed = dir.resolve("model.safetensors");
        w.write(renamed, false);
        DetrConfig config = DetrConfig.read(fixture.description(), fixture.json());
        Map<String, float[]> got;
        try (SafetensorsFile file = SafetensorsFile.open(renamed)) {
            assertTrue(file.names().contains("model.decoder.layers.1.encoder_attn.k_proj.weight"), "the copy has Hugging Face's names");
            try (DetrPlan plan = DetrModel.load(config, new TensorLoader(file)).plan(2, 100, 132, true, ExecutionOptions.defaults())) {
                plan.run(fixture.values("samples.tensors"), fixture.values("samples.mask"));
                got = plan.outputs();
            }
        }
        for (String name : List.of("features", "memory", "decoder_output", "pred_logits", "pred_boxes")) {
            Comparison c = Comparison.of(got.get(name), fixture.values(name));
            assertTrue(c.within(1e-4), name + ": relative L2 " + c.relativeL2());
        }
    }

    /** facebook/detr-resnet-50's config.json as the Hugging Face Hub serves it (the fields DETR reads). */
    @Test
    void huggingFaceConfigIsDetrResnet50() {
        JsonObject hf = JsonParser.parseString("""
                {"model_type": "detr", "architectures": ["DetrForObjectDetection"], "backbone": "resnet50", "use_timm_backbone": true,
                 "d_model": 256, "encoder_layers": 6, "decoder_layers": 6, "encoder_attention_heads": 8, "decoder_attention_heads": 8,
                 "encoder_ffn_dim": 2048, "decoder_ffn_dim": 2048, "num_queries": 100, "dilation": false, "position_embedding_type": "sine",
                 "activation_function": "relu", "id2label": {"0": "N/A", "1": "person", "2": "bicycle", "90": "toothbrush"}}
                """).getAsJsonObject();
        assertTrue(DetrConfig.isDetr(hf));
        DetrConfig c = DetrConfig.read(hf, Path.of("config.json"));
        assertEquals(DetrConfig.preset("detr_resnet50").backbone(), c.backbone());
        assertEquals(256, c.dModel());
        assertEquals(8, c.heads());
        assertEquals(100, c.queries());
        assertEquals(91, c.numClasses(), "classes run to the largest id2label key");
        assertEquals("person", c.labels().get(1));
        assertEquals("N/A", c.labels().get(12), "ids without a name are DETR's N/A");
        assertEquals(91, c.labels().size());
    }

    /** DETR's resize on the sizes its fixture's JSON lists (computed there with DETR's own get_size_with_aspect_ratio). */
    @Test
    void resizeFollowsDetrsRule() {
        JsonObject pre = Json.object(Json.readObject(Fixtures.prefix("detr_r50").resolveSibling("detr_r50.json")), "preprocessing", Path.of("detr_r50.json"));
        int checked = 0;
        for (JsonElement e : pre.getAsJsonArray("resize_examples")) {
            JsonObject o = e.getAsJsonObject();
            int[] orig = {o.getAsJsonArray("orig_hw").get(0).getAsInt(), o.getAsJsonArray("orig_hw").get(1).getAsInt()};
            int[] want = {o.getAsJsonArray("resized_hw").get(0).getAsInt(), o.getAsJsonArray("resized_hw").get(1).getAsInt()};
            assertArrayEquals(want, DetrInput.resizedSize(orig[0], orig[1], 800, 1333), Arrays.toString(orig));
            checked++;
        }
        assertTrue(checked >= 6, "examples checked: " + checked);
    }

    /** state_dict element counts of facebookresearch/detr's detr_resnet50 / detr_resnet101 (91 classes), counted with the upstream code. */
    @Test
    void presetsHaveTheReleasedModelsParameters() {
        assertEquals(41_631_008L, DetrConfig.preset("detr_resnet50").parameterCount());
        assertEquals(60_675_360L, DetrConfig.preset("detr_resnet101").parameterCount());
        CliTest.Run r = CliTest.cli("info", "--model", "detr_resnet50");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("parameters   41,631,008"), r.out());
    }
}
