package org.vitornado.model.vitdet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * detectron2's ViTDet backbone ({@code detectron2.modeling.backbone.vit.ViT}) with its {@code SimpleFeaturePyramid}
 * and {@code LastLevelMaxPool}.
 *
 * @param windowBlocks      blocks that attend within windows; the others are global
 * @param pretrainImg       the size the absolute position embedding was trained for
 * @param pretrainClsToken  the stored position embedding has a class-token row (dropped)
 * @param outChannels       channels of every pyramid level
 * @param scales            the pyramid's scale factors (4, 2, 1, 0.5 for p2..p5)
 * @param eps               LayerNorm eps of the blocks ({@code nn.LayerNorm} default 1e-5; official configs 1e-6)
 */
public record VitDetConfig(int imgSize, int patch, int inChans, int embedDim, int depth, int numHeads, int mlpHidden,
        boolean qkvBias, int window, Set<Integer> windowBlocks, boolean relPos, boolean absPos, int pretrainImg,
        boolean pretrainClsToken, int outChannels, List<Double> scales, boolean topBlock, float eps) {

    static final String SFP_CLASS = "detectron2.modeling.backbone.vit.SimpleFeaturePyramid";
    static final String VIT_CLASS = "detectron2.modeling.backbone.vit.ViT";

    /** LayerNorm (channels-first in detectron2) of the pyramid: eps 1e-6. */
    public static final float PYRAMID_EPS = 1e-6f;

    public int headDim() {
        return embedDim / numHeads;
    }

    public static boolean isVitDet(JsonObject config) {
        JsonObject ctor = config.has("constructor") && config.get("constructor").isJsonObject() ? config.getAsJsonObject("constructor") : null;
        return ctor != null && ctor.has("class") && SFP_CLASS.equals(ctor.get("class").getAsString());
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
        if (!ints(n.get("residual_block_indexes")).isEmpty()) {
            throw new ModelException(file + ": residual_block_indexes (conv propagation blocks) are not supported yet");
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
        int embed = Json.integer(n, "embed_dim", 768, file);
        return new VitDetConfig(Json.integer(n, "img_size", 1024, file), Json.integer(n, "patch_size", 16, file),
                Json.integer(n, "in_chans", 3, file), embed, Json.integer(n, "depth", 12, file), Json.integer(n, "num_heads", 12, file),
                (int) (embed * Json.number(n, "mlp_ratio", 4.0, file)), Json.bool(n, "qkv_bias", true, file),
                Json.integer(n, "window_size", 0, file), Set.copyOf(ints(n.get("window_block_indexes"))),
                Json.bool(n, "use_rel_pos", false, file), Json.bool(n, "use_abs_pos", true, file),
                Json.integer(n, "pretrain_img_size", 224, file), Json.bool(n, "pretrain_use_cls_token", true, file),
                Json.integer(args, "out_channels", 256, file), List.copyOf(scales), Json.has(args, "top_block"), 1e-5f);
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
