package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vitornado.model.source.ModelSource;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.fixture.Fixture;
import org.vitornado.model.vit.VitModel;
import org.vitornado.model.vit.VitOutput;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.weights.SafetensorsFile;
import org.vitornado.weights.SafetensorsWriter;

/**
 * A fixture of our own in Hugging Face's layout: the upstream timm fixture {@code vit_token} renamed to
 * {@code ViTForImageClassification} parameter names (qkv split into query/key/value), with a Hugging Face
 * {@code config.json} (eps 1e-6 as timm's) and {@code preprocessor_config.json}. Loaded as a user would load a
 * downloaded HF directory, it must reproduce the upstream logits.
 */
class HuggingFaceNamingTest {

    @Test
    void huggingFaceCheckpointReproducesTheUpstreamLogits(@TempDir Path dir) throws IOException {
        Fixture fixture = Fixture.read(Fixtures.prefix("vit_token"));
        writeHuggingFaceCopy(fixture.weights(), dir);

        try (ModelSource ckpt = ModelSource.open(dir.toString());
                VitPlan plan = VitModel.load(ckpt.vit(), ckpt.tensors()).plan(1, 64, 64, EnumSet.of(VitOutput.LOGITS, VitOutput.FEATURES),
                        ExecutionOptions.defaults())) {
            assertEquals(1e-6f, ckpt.vit().eps());
            assertEquals("label 3", ckpt.label(3));
            assertTrue(ckpt.preprocessing().exactResize());
            plan.run(fixture.values("x"));
            Comparison logits = Comparison.of(plan.output(VitOutput.LOGITS), fixture.values("logits"));
            Comparison features = Comparison.of(plan.output(VitOutput.FEATURES), fixture.values("features"));
            assertTrue(logits.within(1e-4), "logits rel L2 " + logits.relativeL2());
            assertTrue(features.within(1e-4), "features rel L2 " + features.relativeL2());
        }
    }

    @Test
    void aMissingTensorIsNamedWithItsFile(@TempDir Path dir) throws IOException {
        Fixture fixture = Fixture.read(Fixtures.prefix("vit_token"));
        writeHuggingFaceCopy(fixture.weights(), dir);
        // Drop one tensor: rewrite the file without layer 2's key projection.
        Path weights = dir.resolve("model.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            for (String n : f.names()) {
                if (!n.equals("vit.encoder.layer.2.attention.attention.key.weight")) {
                    w.add(n, f.readFloats(n), f.info(n).shape());
                }
            }
        }
        Path broken = dir.resolve("broken");
        Files.createDirectory(broken);
        w.write(broken.resolve("model.safetensors"), false);
        Files.copy(dir.resolve("config.json"), broken.resolve("config.json"));
        try (ModelSource ckpt = ModelSource.open(broken.toString())) {
            // Found from the header alone (info) and when the weights are read (every other command).
            List<org.junit.jupiter.api.function.Executable> loads = List.of(ckpt::validate, () -> VitModel.load(ckpt.vit(), ckpt.tensors()));
            for (org.junit.jupiter.api.function.Executable load : loads) {
                RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, load);
                assertTrue(e.getMessage().contains("model.safetensors") && e.getMessage().contains("vit.encoder.layer.2.attention.attention.key.weight"),
                        e.getMessage());
            }
        }
    }

    /** Writes {@code dir/model.safetensors}, {@code config.json} and {@code preprocessor_config.json} in HF layout. */
    static void writeHuggingFaceCopy(Path timmWeights, Path dir) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(timmWeights)) {
            int e = 96;
            w.add("vit.embeddings.cls_token", f.readFloats("cls_token"), 1, 1, e);
            w.add("vit.embeddings.position_embeddings", f.readFloats("pos_embed"), 1, 17, e);
            w.add("vit.embeddings.patch_embeddings.projection.weight", f.readFloats("patch_embed.proj.weight"), e, 3, 16, 16);
            w.add("vit.embeddings.patch_embeddings.projection.bias", f.readFloats("patch_embed.proj.bias"), e);
            for (int b = 0; b < 3; b++) {
                String t = "blocks." + b + ".";
                String h = "vit.encoder.layer." + b + ".";
                float[] qkvW = f.readFloats(t + "attn.qkv.weight");
                float[] qkvB = f.readFloats(t + "attn.qkv.bias");
                String[] parts = {"query", "key", "value"};
                for (int s = 0; s < 3; s++) {
                    w.add(h + "attention.attention." + parts[s] + ".weight", Arrays.copyOfRange(qkvW, s * e * e, (s + 1) * e * e), e, e);
                    w.add(h + "attention.attention." + parts[s] + ".bias", Arrays.copyOfRange(qkvB, s * e, (s + 1) * e), e);
                }
                w.add(h + "attention.output.dense.weight", f.readFloats(t + "attn.proj.weight"), e, e);
                w.add(h + "attention.output.dense.bias", f.readFloats(t + "attn.proj.bias"), e);
                w.add(h + "layernorm_before.weight", f.readFloats(t + "norm1.weight"), e);
                w.add(h + "layernorm_before.bias", f.readFloats(t + "norm1.bias"), e);
                w.add(h + "layernorm_after.weight", f.readFloats(t + "norm2.weight"), e);
                w.add(h + "layernorm_after.bias", f.readFloats(t + "norm2.bias"), e);
                w.add(h + "intermediate.dense.weight", f.readFloats(t + "mlp.fc1.weight"), 4 * e, e);
                w.add(h + "intermediate.dense.bias", f.readFloats(t + "mlp.fc1.bias"), 4 * e);
                w.add(h + "output.dense.weight", f.readFloats(t + "mlp.fc2.weight"), e, 4 * e);
                w.add(h + "output.dense.bias", f.readFloats(t + "mlp.fc2.bias"), e);
            }
            w.add("vit.layernorm.weight", f.readFloats("norm.weight"), e);
            w.add("vit.layernorm.bias", f.readFloats("norm.bias"), e);
            w.add("classifier.weight", f.readFloats("head.weight"), 10, e);
            w.add("classifier.bias", f.readFloats("head.bias"), 10);
        }
        w.metadata("format", "pt").write(dir.resolve("model.safetensors"), false);
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            labels.append(i == 0 ? "" : ", ").append("\"").append(i).append("\": \"label ").append(i).append("\"");
        }
        Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["ViTForImageClassification"], "model_type": "vit", "hidden_size": 96,
                 "num_hidden_layers": 3, "num_attention_heads": 3, "intermediate_size": 384, "hidden_act": "gelu",
                 "layer_norm_eps": 1e-06, "image_size": 64, "patch_size": 16, "num_channels": 3, "qkv_bias": true,
                 "id2label": {%s}}
                """.formatted(labels));
        Files.writeString(dir.resolve("preprocessor_config.json"), """
                {"do_resize": true, "size": {"height": 64, "width": 64}, "resample": 2, "do_rescale": true,
                 "rescale_factor": 0.00392156862745098, "do_normalize": true, "image_mean": [0.5, 0.5, 0.5],
                 "image_std": [0.5, 0.5, 0.5], "image_processor_type": "ViTImageProcessor"}
                """);
    }
}
