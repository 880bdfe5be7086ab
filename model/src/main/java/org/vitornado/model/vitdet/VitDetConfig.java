package org.vitornado.model.vitdet;

import org.vitornado.model.io.Limits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.vitornado.model.backbone.Backbone;
import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.ExecutionOptions;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * detectron2's ViTDet backbone ({@code detectron2.modeling.backbone.vit.ViT}) with its {@code SimpleFeaturePyramid}
 * and {@code LastLevelMaxPool}.
 *
 * @param windowBlocks      blocks that attend within windows; the others are global
 * @param residualBlocks    blocks followed by a conv propagation block (ResBottleneckBlock)
 * @param pretrainImg       the size the absolute position embedding was trained for
 * @param pretrainClsToken  the stored position embedding has a class-token row (dropped)
 * @param outChannels       channels of every pyramid level
 * @param scales            the pyramid's scale factors (4, 2, 1, 0.5 for p2..p5)
 * @param eps               LayerNorm eps of the blocks ({@code nn.LayerNorm} default 1e-5; official configs 1e-6)
 */
public record VitDetConfig(int imgSize, int patch, int inChans, int embedDim, int depth, int numHeads, int mlpHidden,
        boolean qkvBias, int window, Set<Integer> windowBlocks, Set<Integer> residualBlocks, boolean relPos, boolean absPos,
        int pretrainImg, boolean pretrainClsToken, int outChannels, List<Double> scales, boolean topBlock, float eps)
        implements Backbone {

    public VitDetConfig {
        Limits.architecture(imgSize, imgSize, patch, inChans, embedDim, depth, numHeads, mlpHidden);
        Limits.bound("window_size", window, 0, Limits.MAX_SIDE);
        Limits.bound("out_channels", outChannels, 1, Limits.MAX_WIDTH);
        Limits.bound("pretrain_img_size", pretrainImg, 1, Limits.MAX_SIDE);
    }


    static final String SFP_CLASS = "detectron2.modeling.backbone.vit.SimpleFeaturePyramid";
    static final String VIT_CLASS = "detectron2.modeling.backbone.vit.ViT";

    /** LayerNorm (channels-first in detectron2) of the pyramid: eps 1e-6. */
    public static final float PYRAMID_EPS = 1e-6f;

    public int headDim() {
        return embedDim / numHeads;
    }

    @Override
    public int imgH() {
        return imgSize;
    }

    @Override
    public int imgW() {
        return imgSize;
    }

    @Override
    public int stride() {
        return patch;
    }

    @Override
    public String describe() {
        return String.format("ViTDet (detectron2 ViT + SimpleFeaturePyramid): patch %d, embed %d, depth %d, heads %d, window %d, "
                + "global blocks %s%s, pyramid %d channels at scales %s%s, input %d", patch, embedDim, depth, numHeads, window,
                globalBlocks(), residualBlocks.isEmpty() ? "" : ", residual blocks " + new TreeSet<>(residualBlocks), outChannels,
                scales, topBlock ? " + p6" : "", imgSize);
    }

    /** The blocks that attend over the whole map, ascending. */
    public List<Integer> globalBlocks() {
        List<Integer> global = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            if (!windowBlocks.contains(i)) {
                global.add(i);
            }
        }
        return global;
    }

    @Override
    public FeatureMaps plan(Tensors tensors, int batch, int height, int width, ExecutionOptions options) {
        return new VitDetModel(this, tensors).plan(batch, height, width, options);
    }

    /**
     * detectron2's COCO ViTDet backbones (projects/ViTDet/configs/COCO/mask_rcnn_vitdet_{b,l,h}_100ep.py) at 1024:
     * window 14, LayerNorm eps 1e-6, rel-pos, abs pos from a 224 pretraining with a class token, 256 pyramid channels;
     * {@code null} for an unknown name. Names: {@code vitdet_b}, {@code vitdet_l}, {@code vitdet_h} (or ViTDet-B, ...).
     */
    public static VitDetConfig preset(String name) {
        String key = name.toLowerCase(java.util.Locale.ROOT).replace('-', '_');
        return switch (key) {
            case "vitdet_b", "vitdet_base" -> preset(768, 12, 12, List.of(2, 5, 8, 11));
            case "vitdet_l", "vitdet_large" -> preset(1024, 24, 16, List.of(5, 11, 17, 23));
            case "vitdet_h", "vitdet_huge" -> preset(1280, 32, 16, List.of(7, 15, 23, 31));
            default -> null;
        };
    }

    /** Names {@link #preset} accepts, for messages. */
    public static final List<String> PRESETS = List.of("vitdet_b", "vitdet_l", "vitdet_h");

    private static VitDetConfig preset(int embed, int depth, int heads, List<Integer> global) {
        Set<Integer> window = new HashSet<>();
        for (int i = 0; i < depth; i++) {
            if (!global.contains(i)) {
                window.add(i);
            }
        }
        return new VitDetConfig(1024, 16, 3, embed, depth, heads, 4 * embed, true, 14, Set.copyOf(window), Set.of(), true, true, 224,
                true, 256, List.of(4.0, 2.0, 1.0, 0.5), true, 1e-6f);
    }

    /** detectron2 constructor arguments ({@code SimpleFeaturePyramid}), or {@code {"preset": "vitdet_b"}}. */
    public static boolean isVitDet(JsonObject config) {
        if (config.has("preset") && config.get("preset").isJsonPrimitive()) {
            return preset(config.get("preset").getAsString()) != null;
        }
        JsonObject ctor = config.has("constructor") && config.get("constructor").isJsonObject() ? config.getAsJsonObject("constructor") : null;
        return ctor != null && ctor.has("class") && SFP_CLASS.equals(ctor.get("class").getAsString());
    }

    /** A config {@link #isVitDet} accepts. */
    public static VitDetConfig read(JsonObject config, Path file) {
        if (config.has("preset")) {
            String name = Json.string(config, "preset", "", file);
            VitDetConfig c = preset(name);
            if (c == null) {
                throw new ModelException(file + ": unknown preset '" + name + "' (known: " + String.join(", ", PRESETS) + ")");
            }
            return c;
        }
        return fromConstructor(config, file);
    }

    /** From detectron2 constructor arguments as in the reference fixtures. */
    public static VitDetConfig fromConstructor(JsonObject config, Path file) {
        JsonObject ctor = Json.object(config, "constructor", file);
        JsonObject args = Json.object(ctor, "args", file);
        JsonObject net = args == null ? null : Json.object(args, "net", file);
        if (net == null || !VIT_CLASS.equals(Json.string(net, "class", "", file))) {
            throw new ModelException(file + ": SimpleFeaturePyramid needs 'net' to be " + VIT_CLASS);
        }
        JsonObject n = Json.object(net, "args", file);
        String norm = Json.string(args, "norm", "LN", file);
        if (!norm.equals("LN")) {
            throw new ModelException(file + ": norm='" + norm + "' is not supported (LN)");
        }
        List<Double> scales = new ArrayList<>();
        JsonElement sf = args.get("scale_factors");
        if (sf != null && sf.isJsonObject() && sf.getAsJsonObject().has("tuple")) {
            sf = sf.getAsJsonObject().get("tuple");
        }
        if (sf == null || !sf.isJsonArray()) {
            throw new ModelException(file + ": scale_factors must be a list");
        }
        sf.getAsJsonArray().forEach(v -> scales.add(v.getAsDouble()));
        for (double s : scales) {
            if (s != 4.0 && s != 2.0 && s != 1.0 && s != 0.5) {
                throw new ModelException(file + ": scale factor " + s + " is not supported (4, 2, 1, 0.5)");
            }
        }
        int patch = Json.integer(n, "patch_size", 16, file);
        double last = scales.isEmpty() ? 0 : scales.get(scales.size() - 1);
        if (Json.has(args, "top_block") && Math.round(Math.log(patch / last) / Math.log(2)) != 5) {
            throw new ModelException(file + ": top_block (LastLevelMaxPool) reads p5, but the pyramid's last level is p"
                    + Math.round(Math.log(patch / last) / Math.log(2)) + " (patch_size " + patch + ", scale " + last + ")");
        }
        int embed = Json.integer(n, "embed_dim", 768, file);
        int heads = Json.integer(n, "num_heads", 12, file);
        if (embed % heads != 0) {
            throw new ModelException(file + ": embed_dim " + embed + " is not divisible by num_heads " + heads);
        }
        return new VitDetConfig(Json.integer(n, "img_size", 1024, file), patch,
                Json.integer(n, "in_chans", 3, file), embed, Json.integer(n, "depth", 12, file), heads,
                (int) (embed * Json.number(n, "mlp_ratio", 4.0, file)), Json.bool(n, "qkv_bias", true, file),
                Json.integer(n, "window_size", 0, file), Set.copyOf(ints(n.get("window_block_indexes"))),
                Set.copyOf(ints(n.get("residual_block_indexes"))),                Json.bool(n, "use_rel_pos", false, file), Json.bool(n, "use_abs_pos", true, file),
                Json.integer(n, "pretrain_img_size", 224, file), Json.bool(n, "pretrain_use_cls_token", true, file),
                Json.integer(args, "out_channels", 256, file), List.copyOf(scales), Json.has(args, "top_block"), normEps(n, file));
    }

    /** {@code norm_layer=partial(nn.LayerNorm, eps=1e-6)} as the official configs pass it; nn.LayerNorm's 1e-5 otherwise. */
    private static float normEps(JsonObject net, Path file) {
        JsonElement layer = net.get("norm_layer");
        if (layer == null || layer.isJsonNull() || layer.isJsonPrimitive() && layer.getAsString().contains("torch.nn.modules.normalization.LayerNorm")) {
            return 1e-5f;
        }
        JsonObject norm = Json.object(net, "norm_layer", file);
        String callable = Json.string(norm, "callable", "", file);
        if (!callable.equals("torch.nn.LayerNorm") && !callable.equals("torch.nn.modules.normalization.LayerNorm")) {
            throw new ModelException(file + ": norm_layer '" + callable + "' is not supported (torch.nn.LayerNorm)");
        }
        JsonObject kwargs = Json.object(norm, "kwargs", file);
        return kwargs == null ? 1e-5f : (float) Json.number(kwargs, "eps", 1e-5, file);
    }

    private static Set<Integer> ints(JsonElement e) {
        Set<Integer> out = new HashSet<>();
        if (e != null && e.isJsonObject() && e.getAsJsonObject().has("tuple")) {
            e = e.getAsJsonObject().get("tuple");
        }
        if (e != null && e.isJsonArray()) {
            e.getAsJsonArray().forEach(v -> out.add(v.getAsInt()));
        }
        return out;
    }
}
