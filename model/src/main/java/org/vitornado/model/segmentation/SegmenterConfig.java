package org.vitornado.model.segmentation;

import java.nio.file.Path;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.runtime.ExecutionOptions;

import com.google.gson.JsonObject;

/**
 * DEPICT's {@code Segmenter} ({@code segm.model.segmenter.Segmenter}): Segmenter's ViT encoder and a
 * {@link MaskTransformer} decoder. The encoder is a timm-shaped ViT with a class token, LayerNorm eps 1e-5 and a
 * final norm whose position embedding is resized bilinearly; its classification head is unused.
 */
public record SegmenterConfig(VitConfig encoder, MaskTransformerConfig decoder) implements EncoderSegmenter {

    public static final String CLASS = "segm.model.segmenter.Segmenter";
    static final String ENCODER_CLASS = "segm.model.vit.VisionTransformer";

    public static boolean isSegmenter(JsonObject config) {
        JsonObject ctor = config.has("constructor") && config.get("constructor").isJsonObject() ? config.getAsJsonObject("constructor") : null;
        return ctor != null && ctor.has("class") && CLASS.equals(ctor.get("class").getAsString());
    }

    public static SegmenterConfig fromConstructor(JsonObject config, Path file) {
        JsonObject args = Json.object(Json.object(config, "constructor", file), "args", file);
        JsonObject enc = args == null ? null : Json.object(args, "encoder", file);
        JsonObject dec = args == null ? null : Json.object(args, "decoder", file);
        if (enc == null || dec == null || !ENCODER_CLASS.equals(Json.string(enc, "class", "", file))) {
            throw new ModelException(file + ": " + CLASS + " needs an 'encoder' (" + ENCODER_CLASS + ") and a 'decoder'");
        }
        JsonObject e = Json.object(enc, "args", file);
        if (Json.bool(e, "distilled", false, file)) {
            throw new ModelException(file + ": distilled encoders (a distillation token) are not supported");
        }
        int[] size = Json.pair(e, "image_size", 224, file);
        int d = Json.integer(e, "d_model", 768, file);
        VitConfig vit = new VitConfig(size[0], size[1], Json.integer(e, "patch_size", 16, file), Json.integer(e, "channels", 3, file), d,
                Json.integer(e, "n_layers", 12, file), Json.integer(e, "n_heads", 12, file), Json.integer(e, "d_ff", 4 * d, file), true,
                true, true, true, false, false, true, false, VitConfig.Pool.NONE, 0, true, 1e-5f, VitConfig.PosResample.BILINEAR);
        MaskTransformerConfig m = MaskTransformerConfig.fromConstructor(dec, file);
        if (m.dim() != d || m.patch() != vit.patch()) {
            throw new ModelException(file + ": decoder d_model/patch_size (" + m.dim() + ", " + m.patch() + ") differ from the encoder's ("
                    + d + ", " + vit.patch() + ")");
        }
        int classes = Json.integer(args, "n_cls", m.classes(), file);
        if (classes != m.classes()) {
            throw new ModelException(file + ": n_cls " + classes + " differs from the decoder's " + m.classes());
        }
        return new SegmenterConfig(vit, m);
    }

    @Override
    public String describe() {
        return String.format("Segmenter (DEPICT): %s + mask transformer '%s' (%d layers, %d heads), %d classes",
                encoder.describe(), decoder.mode().name().toLowerCase(java.util.Locale.ROOT), decoder.layers(), decoder.heads(), classes());
    }

    @Override
    public int classes() {
        return decoder.classes();
    }

    @Override
    public SegmentationPlan plan(Tensors tensors, int batch, int height, int width, ExecutionOptions options) {
        return new SegmenterPlan(this, tensors, batch, height, width, options);
    }
}
