package org.vitornado.model.vit;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.vitornado.model.hybrid.HybridConfigReader;
import org.vitornado.model.hybrid.ResNetV2Config;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * Reads a {@link VitConfig} from the three kinds of config a ViT checkpoint comes with:
 * <ul>
 *   <li>timm constructor arguments, {@code {"constructor": {"class": "timm...VisionTransformer", "args": {...}},
 *       "constructor_defaults": {...}}} (the reference fixtures' {@code NAME.json});</li>
 *   <li>a timm Hub {@code config.json}: {@code {"architecture": "vit_base_patch16_224.augreg_in21k", "num_classes": ..}};</li>
 *   <li>a Hugging Face {@code config.json} with {@code "model_type": "vit"}.</li>
 * </ul>
 * Options the kernels do not implement (layer scale, qk-norm, register tokens, other activations) are rejected
 * with the key named, rather than silently ignored.
 */
public final class VitConfigReader {

    static final String TIMM_VIT_CLASS = "timm.models.vision_transformer.VisionTransformer";

    /** timm {@code VisionTransformer.__init__} keyword defaults that matter for inference. */
    private static final Map<String, Object> TIMM_DEFAULTS = Map.ofEntries(
            Map.entry("img_size", 224), Map.entry("patch_size", 16), Map.entry("in_chans", 3),
            Map.entry("num_classes", 1000), Map.entry("global_pool", "token"), Map.entry("embed_dim", 768),
            Map.entry("depth", 12), Map.entry("num_heads", 12), Map.entry("mlp_ratio", 4.0),
            Map.entry("qkv_bias", true), Map.entry("proj_bias", true), Map.entry("class_token", true),
            Map.entry("pos_embed", "learn"), Map.entry("no_embed_class", false), Map.entry("pre_norm", false),
            Map.entry("final_norm", true), Map.entry("dynamic_img_size", false));

    private VitConfigReader() {
    }

    /** True when {@code config} describes a plain ViT in one of the supported formats. */
    public static boolean isVit(JsonObject config) {
        JsonObject ctor = config.has("constructor") && config.get("constructor").isJsonObject()
                ? config.getAsJsonObject("constructor") : null;
        if (ctor != null) {
            return ctor.has("class") && TIMM_VIT_CLASS.equals(ctor.get("class").getAsString());
        }
        if (config.has("model_type")) {
            return "vit".equals(config.get("model_type").getAsString());
        }
        return config.has("architecture") && config.get("architecture").getAsString().startsWith("vit_");
    }

    public static VitConfig read(JsonObject config, Path file) {
        if (config.has("constructor")) {
            return fromTimmConstructor(config, file);
        }
        if (Json.has(config, "model_type")) {
            return fromHuggingFace(config, file);
        }
        if (Json.has(config, "architecture")) {
            return fromTimmHub(config, file);
        }
        throw new ModelException(file + ": unknown config format: expected timm constructor arguments ('constructor'), "
                + "a timm Hub config ('architecture') or a Hugging Face config ('model_type')");
    }

    // ------------------------------------------------------------------ timm

    static VitConfig fromTimmConstructor(JsonObject config, Path file) {
        JsonObject ctor = Json.object(config, "constructor", file);
        String cls = Json.string(ctor, "class", null, file);
        if (!TIMM_VIT_CLASS.equals(cls)) {
            throw new ModelException(file + ": constructor class '" + cls + "' is not " + TIMM_VIT_CLASS);
        }
        JsonObject args = new JsonObject();
        JsonObject defaults = Json.object(config, "constructor_defaults", file);
        JsonObject classDefaults = defaults == null ? null : Json.object(defaults, cls, file);
        if (classDefaults != null) {
            classDefaults.entrySet().forEach(e -> args.add(e.getKey(), e.getValue()));
        }
        JsonObject given = Json.object(ctor, "args", file);
        if (given != null) {
            given.entrySet().forEach(e -> args.add(e.getKey(), e.getValue()));
        }
        JsonObject backboneDefaults = defaults == null ? null : Json.object(defaults, HybridConfigReader.RESNETV2_CLASS, file);
        return fromTimmArgs(args, backboneDefaults, file);
    }

    /** timm {@code VisionTransformer(**args)}. */
    public static VitConfig fromTimmArgs(JsonObject args, Path file) {
        return fromTimmArgs(args, null, file);
    }

    /** timm {@code VisionTransformer(**args)}; {@code backboneDefaults}: a hybrid's ResNetV2 keyword defaults, or null. */
    static VitConfig fromTimmArgs(JsonObject args, JsonObject backboneDefaults, Path file) {
        ResNetV2Config hybrid = null;
        if (HybridConfigReader.isHybrid(args.get("embed_layer"))) {
            hybrid = HybridConfigReader.read(args.getAsJsonObject("embed_layer"), backboneDefaults, file);
            args = args.deepCopy();
            args.remove("embed_layer");
        }
        rejectUnless(args, file, "qk_norm", false);
        rejectUnless(args, file, "init_values", null);
        rejectUnless(args, file, "reg_tokens", 0);
        rejectUnless(args, file, "dynamic_img_pad", false);
        rejectUnless(args, file, "scale_attn_norm", false);
        rejectUnless(args, file, "scale_mlp_norm", false);
        rejectUnless(args, file, "pool_include_prefix", false);
        rejectUnless(args, file, "embed_norm_layer", null);
        rejectUnless(args, file, "norm_layer", null);
        rejectUnless(args, file, "act_layer", null);
        rejectUnless(args, file, "mlp_layer", null, "<class 'timm.layers.mlp.Mlp'>");
        rejectUnless(args, file, "block_fn", null, "<class 'timm.models.vision_transformer.Block'>");
        rejectUnless(args, file, "attn_layer", null, "<class 'timm.layers.attention.Attention'>");
        rejectUnless(args, file, "embed_layer", null, "<class 'timm.layers.patch_embed.PatchEmbed'>");

        int[] img = Json.pair(args, "img_size", (Integer) TIMM_DEFAULTS.get("img_size"), file);
        int patch = Json.integer(args, "patch_size", 16, file);
        int embed = Json.integer(args, "embed_dim", 768, file);
        double mlpRatio = Json.number(args, "mlp_ratio", 4.0, file);
        String pool = Json.string(args, "global_pool", "token", file);
        VitConfig.Pool p = switch (pool) {
            case "token" -> VitConfig.Pool.TOKEN;
            case "avg" -> VitConfig.Pool.AVG;
            case "" -> VitConfig.Pool.NONE;
            default -> throw new ModelException(file + ": global_pool='" + pool + "' is not supported (token, avg or '')");
        };
        String posEmbed = Json.string(args, "pos_embed", "learn", file);
        if (!posEmbed.equals("learn") && !posEmbed.equals("none")) {
            throw new ModelException(file + ": pos_embed='" + posEmbed + "' is not supported (learn or none)");
        }
        // timm: use_fc_norm defaults to pooling by average; final_norm picks which of norm / fc_norm exists.
        boolean useFcNorm = Json.has(args, "fc_norm") ? Json.bool(args, "fc_norm", false, file) : p == VitConfig.Pool.AVG;
        boolean finalNorm = Json.bool(args, "final_norm", true, file);
        return new VitConfig(img[0], img[1], patch, Json.integer(args, "in_chans", 3, file),
                embed, Json.integer(args, "depth", 12, file), Json.integer(args, "num_heads", 12, file),
                (int) (embed * mlpRatio),
                Json.bool(args, "qkv_bias", true, file), Json.bool(args, "proj_bias", true, file),
                Json.bool(args, "class_token", true, file), posEmbed.equals("learn"),
                Json.bool(args, "no_embed_class", false, file), Json.bool(args, "pre_norm", false, file),
                finalNorm && !useFcNorm, finalNorm && useFcNorm, p,
                Json.integer(args, "num_classes", 1000, file), Json.bool(args, "dynamic_img_size", false, file),
                1e-6f, VitConfig.PosResample.BICUBIC_ANTIALIAS, hybrid);
    }

    private static final Pattern TIMM_NAME = Pattern.compile("vit_(tiny|small|base|large|huge)_patch(\\d+)_(\\d+)(?:\\..*)?");

    /** A timm Hub config: the architecture name fixes the shape; {@code num_classes}/{@code global_pool} may override. */
    static VitConfig fromTimmHub(JsonObject config, Path file) {
        String arch = Json.string(config, "architecture", "", file);
        JsonObject args = timmPresetArgs(arch);
        if (args == null) {
            throw new ModelException(file + ": timm architecture '" + arch + "' is not a supported ViT "
                    + "(vit_{tiny,small,base,large,huge}_patch<P>_<size>, or the hybrids vit_small_r26_s32_<size>, vit_base_r26_s32_<size>, "
                    + "vit_base_r50_s16_<size>, vit_large_r50_s32_<size>)");
        }
        for (String key : new String[] {"num_classes", "global_pool"}) {
            if (Json.has(config, key)) {
                args.add(key, config.get(key));
            }
        }
        JsonObject modelArgs = Json.object(config, "model_args", file);
        if (modelArgs != null) {
            modelArgs.entrySet().forEach(e -> args.add(e.getKey(), e.getValue()));
        }
        return fromTimmArgs(args, file);
    }

    /** Constructor arguments of timm's registered plain ViTs, e.g. {@code vit_base_patch16_224}; null if unknown. */
    /** timm's architecture {@code name} ({@code vit_base_patch16_224}), or {@code null} when it is not one. */
    public static VitConfig timmPreset(String name) {
        if (timmPresetArgs(name) == null) {
            return null;
        }
        JsonObject config = new JsonObject();
        config.addProperty("architecture", name);
        return read(config, java.nio.file.Path.of(name));
    }

    public static JsonObject timmPresetArgs(String architecture) {
        Matcher m = TIMM_NAME.matcher(architecture);
        if (!m.matches()) {
            return HybridConfigReader.archArgs(architecture);
        }
        int[] shape = switch (m.group(1)) {
            case "tiny" -> new int[] {192, 12, 3};
            case "small" -> new int[] {384, 12, 6};
            case "base" -> new int[] {768, 12, 12};
            case "large" -> new int[] {1024, 24, 16};
            default -> new int[] {1280, 32, 16};
        };
        JsonObject args = new JsonObject();
        args.addProperty("img_size", Integer.parseInt(m.group(3)));
        args.addProperty("patch_size", Integer.parseInt(m.group(2)));
        args.addProperty("embed_dim", shape[0]);
        args.addProperty("depth", shape[1]);
        args.addProperty("num_heads", shape[2]);
        return args;
    }

    private static void rejectUnless(JsonObject args, Path file, String key, Object... allowed) {
        JsonElement e = args.get(key);
        Object value = e == null || e.isJsonNull() ? null
                : e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() ? (Object) e.getAsBoolean()
                : e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? (Object) e.getAsInt()
                : e.isJsonPrimitive() ? e.getAsString() : e.toString();
        if (e == null) {
            return;
        }
        // A lone null argument arrives as a null array: it means "only null is allowed".
        for (Object ok : allowed == null ? new Object[] {null} : allowed) {
            if (Objects.equals(ok, value)) {
                return;
            }
        }
        throw new ModelException(file + ": " + key + "=" + e + " is not supported by vitornado's ViT");
    }

    // ------------------------------------------------------------ Hugging Face

    /** Hugging Face {@code ViTConfig} ({@code model_type: "vit"}). */
    static VitConfig fromHuggingFace(JsonObject c, Path file) {
        String type = Json.string(c, "model_type", "", file);
        if (!type.equals("vit")) {
            throw new ModelException(file + ": model_type '" + type + "' is not supported here (expected 'vit')");
        }
        String act = Json.string(c, "hidden_act", "gelu", file);
        if (!act.equals("gelu")) {
            throw new ModelException(file + ": hidden_act='" + act + "' is not supported (only the exact erf 'gelu')");
        }
        int[] img = Json.pair(c, "image_size", 224, file);
        int hidden = Json.integer(c, "hidden_size", 768, file);
        JsonObject labels = Json.object(c, "id2label", file);
        int numLabels = labels != null ? labels.size() : Json.integer(c, "num_labels", 0, file);
        return new VitConfig(img[0], img[1], Json.integer(c, "patch_size", 16, file), Json.integer(c, "num_channels", 3, file),
                hidden, Json.integer(c, "num_hidden_layers", 12, file), Json.integer(c, "num_attention_heads", 12, file),
                Json.integer(c, "intermediate_size", 4 * hidden, file),
                Json.bool(c, "qkv_bias", true, file), true,
                true, true, false, false, true, false, VitConfig.Pool.TOKEN, numLabels, true,
                (float) Json.number(c, "layer_norm_eps", 1e-12, file), VitConfig.PosResample.BICUBIC);
    }

    /** Labels by class index from a Hugging Face {@code id2label} or timm {@code label_names}; empty if none. */
    public static Map<Integer, String> labels(JsonObject config, Path file) {
        Map<Integer, String> out = new LinkedHashMap<>();
        JsonObject id2label = Json.object(config, "id2label", file);
        if (id2label != null) {
            for (var e : id2label.entrySet()) {
                try {
                    out.put(Integer.parseInt(e.getKey()), e.getValue().getAsString());
                } catch (RuntimeException ex) {
                    throw new ModelException(file + ": id2label key '" + e.getKey() + "' is not a class index");
                }
            }
        } else if (config.has("label_names") && config.get("label_names").isJsonArray()) {
            var names = config.getAsJsonArray("label_names");
            for (int i = 0; i < names.size(); i++) {
                out.put(i, names.get(i).getAsString());
            }
        }
        return out;
    }
}
