package org.vitornado.model.hybrid;

import java.nio.file.Path;
import java.util.Map;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * The hybrid ViT's CNN from timm's arguments: a {@code VisionTransformer}'s {@code embed_layer} given as
 * {@code {"callable": "timm.layers.HybridEmbed", "kwargs": {"backbone": {"class": "timm.models.resnetv2.ResNetV2",
 * "args": {...}}}}}, as the reference fixtures and {@link #archArgs} write it. Only the backbone timm's
 * {@code vision_transformer_hybrid._resnetv2} builds is accepted (no pre-activation, the "same" stem,
 * {@code StdConv2dSame}, GroupNorm of 32, bottlenecks); anything else is named and rejected.
 */
public final class HybridConfigReader {

    static final String HYBRID_EMBED = "timm.layers.HybridEmbed";
    static final String RESNETV2 = "timm.models.resnetv2.ResNetV2";
    public static final String RESNETV2_CLASS = RESNETV2;

    /** timm's registered hybrids: architecture -> {layers..., embed, depth, heads} (timm {@code vision_transformer_hybrid.py}). */
    private static final Map<String, int[][]> ARCHITECTURES = Map.of(
            "vit_small_r26_s32", new int[][] {{2, 2, 2, 2}, {384, 12, 6}},
            "vit_base_r26_s32", new int[][] {{2, 2, 2, 2}, {768, 12, 12}},
            "vit_base_r50_s16", new int[][] {{3, 4, 9}, {768, 12, 12}},
            "vit_large_r50_s32", new int[][] {{3, 4, 6, 3}, {1024, 24, 16}});

    private HybridConfigReader() {
    }

    /** Whether {@code embedLayer} (a VisionTransformer's {@code embed_layer} argument) is a {@code HybridEmbed}. */
    public static boolean isHybrid(JsonElement embedLayer) {
        return embedLayer != null && embedLayer.isJsonObject() && embedLayer.getAsJsonObject().has("callable")
                && HYBRID_EMBED.equals(embedLayer.getAsJsonObject().get("callable").getAsString());
    }

    /** The backbone of a {@code HybridEmbed} embed layer; {@code defaults}: ResNetV2's keyword defaults, or null. */
    public static ResNetV2Config read(JsonObject embedLayer, JsonObject defaults, Path file) {
        JsonObject kwargs = Json.object(embedLayer, "kwargs", file);
        JsonObject backbone = kwargs == null ? null : Json.object(kwargs, "backbone", file);
        if (backbone == null || !RESNETV2.equals(Json.string(backbone, "class", "", file))) {
            throw new ModelException(file + ": HybridEmbed's backbone must be " + RESNETV2 + " (the hybrid ViTs' ResNetV2)");
        }
        for (String key : new String[] {"feature_size", "feature_ratio"}) {
            if (kwargs.has(key) && !kwargs.get(key).isJsonNull()) {
                throw new ModelException(file + ": HybridEmbed " + key + "=" + kwargs.get(key) + " is not supported (taken from the backbone)");
            }
        }
        if (!Json.bool(kwargs, "proj", true, file) || !Json.bool(kwargs, "flatten", true, file)) {
            throw new ModelException(file + ": HybridEmbed needs proj=True and flatten=True");
        }
        JsonObject args = new JsonObject();
        if (defaults != null) {
            defaults.entrySet().forEach(e -> args.add(e.getKey(), e.getValue()));
        }
        JsonObject given = Json.object(backbone, "args", file);
        if (given != null) {
            given.entrySet().forEach(e -> args.add(e.getKey(), e.getValue()));
        }
        require(!Json.bool(args, "preact", true, file), file, "preact must be False (the hybrid ViTs' ResNetV2)");
        require("same".equals(Json.string(args, "stem_type", "", file)), file, "stem_type must be 'same' (TF SAME padding)");
        require(Json.integer(args, "output_stride", 32, file) == 32, file, "output_stride must be 32 (no dilation)");
        require(Json.number(args, "width_factor", 1, file) == 1, file, "width_factor must be 1");
        require(!Json.bool(args, "avg_down", false, file), file, "avg_down must be False");
        require(!Json.bool(args, "basic", false, file), file, "basic blocks are not supported (bottlenecks only)");
        require(Json.number(args, "bottle_ratio", 0.25, file) == 0.25, file, "bottle_ratio must be 0.25");
        String act = Json.string(args, "act_layer", "<class 'torch.nn.modules.activation.ReLU'>", file);
        require(act.contains("ReLU"), file, "act_layer must be ReLU, got " + act);
        String norm = args.has("norm_layer") && args.get("norm_layer").isJsonPrimitive() ? args.get("norm_layer").getAsString()
                : "functools.partial(<class 'timm.layers.norm_act.GroupNormAct'>, num_groups=32)";
        require(norm.contains("GroupNormAct") && norm.contains("num_groups=32"), file, "norm_layer must be GroupNormAct with 32 groups, got " + norm);
        JsonObject conv = Json.object(args, "conv_layer", file);
        require(conv != null && "timm.layers.StdConv2dSame".equals(Json.string(conv, "callable", "", file)), file,
                "conv_layer must be StdConv2dSame (TF SAME padding, weight standardisation)");
        JsonObject convArgs = Json.object(conv, "kwargs", file);
        float wsEps = (float) (convArgs == null ? 1e-6 : Json.number(convArgs, "eps", 1e-6, file));
        int[] layers = ints(args, "layers", file);
        int[] channels = args.has("channels") ? ints(args, "channels", file) : java.util.Arrays.copyOf(ResNetV2Config.DEFAULT_CHANNELS, layers.length);
        if (channels.length > layers.length) {
            channels = java.util.Arrays.copyOf(channels, layers.length); // ResNetV2 zips layers with channels
        }
        try {
            return new ResNetV2Config(layers, channels, Json.integer(args, "stem_chs", 64, file), wsEps, 32, 1e-5f);
        } catch (IllegalArgumentException e) {
            throw new ModelException(file + ": " + e.getMessage());
        }
    }

    /**
     * timm's constructor arguments of a registered hybrid ({@code vit_base_r50_s16_384}): the ViT's and, as
     * {@code embed_layer}, its ResNetV2's; {@code null} when {@code architecture} is not one.
     */
    public static JsonObject archArgs(String architecture) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(vit_(?:small|base|large)_r(?:26|50)_s(?:16|32))_(\\d+)(?:\\..*)?").matcher(architecture);
        if (!m.matches() || !ARCHITECTURES.containsKey(m.group(1))) {
            return null;
        }
        int[][] arch = ARCHITECTURES.get(m.group(1));
        JsonObject args = new JsonObject();
        args.addProperty("img_size", Integer.parseInt(m.group(2)));
        args.addProperty("patch_size", 1);
        args.addProperty("embed_dim", arch[1][0]);
        args.addProperty("depth", arch[1][1]);
        args.addProperty("num_heads", arch[1][2]);
        JsonObject backboneArgs = new JsonObject();
        com.google.gson.JsonArray layers = new com.google.gson.JsonArray();
        for (int l : arch[0]) {
            layers.add(l);
        }
        backboneArgs.add("layers", layers);
        backboneArgs.addProperty("preact", false);
        backboneArgs.addProperty("stem_type", "same");
        JsonObject conv = new JsonObject();
        conv.addProperty("callable", "timm.layers.StdConv2dSame");
        JsonObject convArgs = new JsonObject();
        convArgs.addProperty("eps", 1e-8);
        conv.add("kwargs", convArgs);
        backboneArgs.add("conv_layer", conv);
        JsonObject backbone = new JsonObject();
        backbone.addProperty("class", RESNETV2);
        backbone.add("args", backboneArgs);
        JsonObject kwargs = new JsonObject();
        kwargs.add("backbone", backbone);
        JsonObject embed = new JsonObject();
        embed.addProperty("callable", HYBRID_EMBED);
        embed.add("kwargs", kwargs);
        args.add("embed_layer", embed);
        return args;
    }

    private static int[] ints(JsonObject o, String key, Path file) {
        float[] f = Json.floats(o, key, null, file);
        if (f == null) {
            throw new ModelException(file + ": ResNetV2 needs '" + key + "'");
        }
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (int) f[i];
        }
        return out;
    }

    private static void require(boolean ok, Path file, String message) {
        if (!ok) {
            throw new ModelException(file + ": hybrid ViT backbone: " + message);
        }
    }
}
