package org.vitornado.model.detr;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonObject;

/**
 * DETR's architecture (facebookresearch/detr {@code models/detr.py}, {@code build}): a torchvision ResNet with frozen
 * batch norms ({@link ResNetConfig}), a 1x1 {@code input_proj} to {@code dModel}, a post-norm transformer with
 * {@code encoderLayers} and {@code decoderLayers} of {@code heads} heads and {@code ffn}-wide ReLU FFNs, {@code queries}
 * learned object queries, a class head of {@code numClasses + 1} logits (the last: no object) and a 3-layer box MLP.
 * Position: {@code PositionEmbeddingSine(dModel / 2, temperature, normalize=True, scale 2 pi)}.
 *
 * @param imgH default input height for {@code bench} and {@code plan} (DETR's test size: 800)
 * @param imgW default input width (the longer side's cap: 1333)
 */
public record DetrConfig(ResNetConfig backbone, int dModel, int heads, int encoderLayers, int decoderLayers, int ffn, int queries, int numClasses,
        float temperature, Map<Integer, String> labels, int imgH, int imgW) {

    /** {@code nn.LayerNorm}'s default, which DETR's transformer uses. */
    public static final float LN_EPS = 1e-5f;
    /** {@code PositionEmbeddingSine}'s scale with {@code normalize=True}. */
    public static final float POS_SCALE = (float) (2 * Math.PI);

    public DetrConfig {
        if (dModel < 2 || dModel % 2 != 0 || heads < 1 || dModel % heads != 0 || encoderLayers < 0 || decoderLayers < 1 || ffn < 1 || queries < 1
                || numClasses < 1 || numClasses > 100_000 || temperature <= 0) {
            throw new IllegalArgumentException("DETR: d_model " + dModel + " (even, divisible by " + heads + " heads), " + encoderLayers + " encoder and "
                    + decoderLayers + " decoder layers, FFN " + ffn + ", " + queries + " queries, " + numClasses + " classes is not a valid model");
        }
    }

    /** facebookresearch/detr's released COCO models ({@code detr_resnet50}, {@code detr_resnet101}: 91 classes), or {@code null}. */
    public static DetrConfig preset(String name) {
        ResNetConfig resnet = switch (name) {
            case "detr_resnet50" -> ResNetConfig.resnet(50);
            case "detr_resnet101" -> ResNetConfig.resnet(101);
            default -> null;
        };
        return resnet == null ? null : new DetrConfig(resnet, 256, 8, 6, 6, 2048, 100, 91, 10000, Map.of(), 800, 1333);
    }

    /** Head width: {@code dModel / heads}. */
    public int headDim() {
        return dModel / heads;
    }

    /** A one-line description. */
    public String describe() {
        return "DETR (" + backbone + ") d_model " + dModel + ", " + heads + " heads, " + encoderLayers + "+" + decoderLayers + " layers, FFN " + ffn + ", "
                + queries + " queries, " + numClasses + " classes";
    }

    /** Parameters: the backbone, input_proj, the transformer, the queries and the heads. */
    public long parameterCount() {
        long d = dModel;
        long attn = 3 * d * d + 3 * d + d * d + d;
        long ffnParams = 2 * d * ffn + ffn + d;
        long enc = encoderLayers * (attn + ffnParams + 4 * d);
        long dec = decoderLayers * (2 * attn + ffnParams + 6 * d) + 2 * d;
        long heads = d * (numClasses + 1) + numClasses + 1 + 2 * (d * d + d) + 4 * d + 4;
        return backbone.parameterCount() + d * backbone.outChannels() + d + enc + dec + (long) queries * d + heads;
    }

    // ------------------------------------------------------------------ readers

    /** Whether {@code config} describes a DETR: a fixture's constructor, or a Hugging Face config with {@code model_type: detr}. */
    public static boolean isDetr(JsonObject config) {
        if (config.has("constructor") && config.get("constructor").isJsonObject()) {
            JsonObject c = config.getAsJsonObject("constructor");
            return c.has("class") && "models.detr.DETR".equals(c.get("class").getAsString());
        }
        return config.has("model_type") && "detr".equals(config.get("model_type").getAsString());
    }

    public static DetrConfig read(JsonObject config, Path file) {
        return config.has("constructor") ? fromConstructor(config, file) : fromHuggingFace(config, file);
    }

    /** The reference fixtures' {@code constructor}: DETR(Joiner(BackboneBase(ResNet(...)), PositionEmbeddingSine), Transformer(...)). */
    static DetrConfig fromConstructor(JsonObject config, Path file) {
        JsonObject args = Json.object(Json.object(config, "constructor", file), "args", file);
        JsonObject joiner = Json.object(Json.object(args, "backbone", file), "args", file);
        JsonObject base = Json.object(Json.object(joiner, "backbone", file), "args", file);
        JsonObject resnet = Json.object(Json.object(base, "backbone", file), "args", file);
        JsonObject position = Json.object(Json.object(joiner, "position_embedding", file), "args", file);
        JsonObject transformer = Json.object(Json.object(args, "transformer", file), "args", file);
        if (resnet == null || position == null || transformer == null) {
            throw new ModelException(file + ": DETR constructor without its ResNet, PositionEmbeddingSine or Transformer arguments");
        }
        String block = Json.string(Json.object(resnet, "block", file), "callable", "", file);
        ResNetConfig.Block kind = switch (block) {
            case "torchvision.models.resnet.BasicBlock" -> ResNetConfig.Block.BASIC;
            case "torchvision.models.resnet.Bottleneck" -> ResNetConfig.Block.BOTTLENECK;
            default -> throw new ModelException(file + ": ResNet block '" + block + "' is not torchvision's BasicBlock or Bottleneck");
        };
        if (resnet.has("replace_stride_with_dilation") && resnet.get("replace_stride_with_dilation").isJsonArray()) {
            for (var d : resnet.getAsJsonArray("replace_stride_with_dilation")) {
                if (!d.isJsonPrimitive() || !d.getAsJsonPrimitive().isBoolean() || d.getAsBoolean()) {
                    throw new ModelException(file + ": dilated ResNets (DETR-DC5) are not supported");
                }
            }
        }
        if (Json.bool(base, "return_interm_layers", false, file)) {
            throw new ModelException(file + ": return_interm_layers (the panoptic model) is not supported");
        }
        if (!Json.bool(position, "normalize", false, file)) {
            throw new ModelException(file + ": PositionEmbeddingSine must have normalize=True, as DETR builds it");
        }
        JsonObject defaults = Json.object(config, "constructor_defaults", file);
        JsonObject posDefaults = defaults == null ? null : Json.object(defaults, "models.position_encoding.PositionEmbeddingSine", file);
        float temperature = (float) Json.number(position, "temperature", posDefaults == null ? 10000 : Json.number(posDefaults, "temperature", 10000, file),
                file);
        if (Json.bool(transformer, "normalize_before", false, file)) {
            throw new ModelException(file + ": normalize_before=True (pre-norm) is not supported: DETR's models are post-norm");
        }
        if (!"relu".equals(Json.string(transformer, "activation", "relu", file))) {
            throw new ModelException(file + ": only the ReLU FFN is supported");
        }
        int[] layers = ints(resnet, "layers", file);
        int[] planes = config.has("resnet_stage_planes") ? ints(config, "resnet_stage_planes", file) : new int[] {64, 128, 256, 512};
        ResNetConfig r = new ResNetConfig(kind, layers, planes);
        int d = Json.integer(transformer, "d_model", 512, file);
        if (Json.integer(position, "num_pos_feats", 64, file) * 2 != d) {
            throw new ModelException(file + ": PositionEmbeddingSine num_pos_feats must be d_model / 2");
        }
        return new DetrConfig(r, d, Json.integer(transformer, "nhead", 8, file), Json.integer(transformer, "num_encoder_layers", 6, file),
                Json.integer(transformer, "num_decoder_layers", 6, file), Json.integer(transformer, "dim_feedforward", 2048, file),
                Json.integer(args, "num_queries", 100, file), Json.integer(args, "num_classes", 91, file), temperature, Map.of(), 800, 1333);
    }

    /** Hugging Face {@code DetrConfig} ({@code model_type: detr}), as {@code facebook/detr-resnet-50} ships it. */
    static DetrConfig fromHuggingFace(JsonObject c, Path file) {
        String backbone = Json.string(c, "backbone", "resnet50", file);
        ResNetConfig r = switch (backbone) {
            case "resnet18" -> ResNetConfig.resnet(18);
            case "resnet34" -> ResNetConfig.resnet(34);
            case "resnet50" -> ResNetConfig.resnet(50);
            case "resnet101" -> ResNetConfig.resnet(101);
            default -> throw new ModelException(file + ": backbone '" + backbone + "' is not supported (resnet18, resnet34, resnet50, resnet101)");
        };
        if (Json.bool(c, "dilation", false, file)) {
            throw new ModelException(file + ": dilation=true (DETR-DC5) is not supported");
        }
        if (!"sine".equals(Json.string(c, "position_embedding_type", "sine", file))) {
            throw new ModelException(file + ": position_embedding_type must be 'sine'");
        }
        if (!"relu".equals(Json.string(c, "activation_function", "relu", file))) {
            throw new ModelException(file + ": activation_function must be 'relu'");
        }
        int d = Json.integer(c, "d_model", 256, file);
        int heads = Json.integer(c, "encoder_attention_heads", 8, file);
        if (Json.integer(c, "decoder_attention_heads", heads, file) != heads || Json.integer(c, "decoder_ffn_dim", Json.integer(c, "encoder_ffn_dim", 2048, file),
                file) != Json.integer(c, "encoder_ffn_dim", 2048, file)) {
            throw new ModelException(file + ": encoder and decoder must share their head count and FFN width");
        }
        Map<Integer, String> labels = new LinkedHashMap<>();
        JsonObject id2label = Json.object(c, "id2label", file);
        int numClasses = Json.integer(c, "num_labels", 91, file);
        if (id2label != null) {
            for (var e : id2label.entrySet()) {
                try {
                    labels.put(Integer.parseInt(e.getKey()), e.getValue().getAsString());
                } catch (RuntimeException ex) {
                    throw new ModelException(file + ": id2label key '" + e.getKey() + "' is not a class index");
                }
            }
            numClasses = labels.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            // DETR's COCO models predict COCO's category ids, with gaps: the ids without a name are "N/A", as in DETR.
            for (int k = 0; k < numClasses; k++) {
                labels.putIfAbsent(k, "N/A");
            }
        }
        return new DetrConfig(r, d, heads, Json.integer(c, "encoder_layers", 6, file), Json.integer(c, "decoder_layers", 6, file),
                Json.integer(c, "encoder_ffn_dim", 2048, file), Json.integer(c, "num_queries", 100, file), numClasses, 10000, labels, 800, 1333);
    }

    private static int[] ints(JsonObject o, String key, Path file) {
        float[] f = Json.floats(o, key, null, file);
        if (f == null) {
            throw new ModelException(file + ": missing '" + key + "'");
        }
        return Arrays.stream(toDoubles(f)).mapToInt(v -> (int) v).toArray();
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
