package org.vitornado.model.sam;

import org.vitornado.model.io.Limits;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.vitornado.model.backbone.Backbone;
import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * The SAM-style image encoder of timm ({@code timm.models.vision_transformer_sam.VisionTransformerSAM}): a plain ViT
 * on an NHWC token map whose blocks attend within windows except the global ones, with decomposed relative position,
 * and a conv neck (1x1 conv, LayerNorm2d, 3x3 conv, LayerNorm2d).
 *
 * @param globalBlocks indexes of blocks that attend over the whole map
 * @param window       window size of the other blocks
 * @param eps          LayerNorm eps of the blocks ({@code nn.LayerNorm}: 1e-5)
 * @param neckEps      LayerNorm2d eps of the neck (timm: 1e-6)
 */
public record SamVitConfig(int imgH, int imgW, int patch, int inChans, int embedDim, int depth, int numHeads, int mlpHidden,
        boolean qkvBias, int window, Set<Integer> globalBlocks, boolean relPos, boolean absPos, int neckChans,
        float eps, float neckEps) implements Backbone {

    public SamVitConfig {
        Limits.architecture(imgH, imgW, patch, inChans, embedDim, depth, numHeads, mlpHidden);
        Limits.bound("window_size", window, 0, Limits.MAX_SIDE);
        Limits.bound("neck_chans", neckChans, 0, Limits.MAX_WIDTH);
    }


    static final String TIMM_SAM_CLASS = "timm.models.vision_transformer_sam.VisionTransformerSAM";

    public int headDim() {
        return embedDim / numHeads;
    }

    @Override
    public int stride() {
        return patch;
    }

    @Override
    public String describe() {
        return String.format("SAM image encoder (timm VisionTransformerSAM): patch %d, embed %d, depth %d, heads %d, window %d, "
                + "global blocks %s, neck %d channels, input %dx%d", patch, embedDim, depth, numHeads, window,
                new java.util.TreeSet<>(globalBlocks), neckChans, imgH, imgW);
    }

    @Override
    public FeatureMaps plan(Tensors tensors, int batch, int height, int width, ExecutionOptions options) {
        return new SamVitModel(this, tensors).plan(batch, height, width, options);
    }

    public int gridH() {
        return imgH / patch;
    }

    public int gridW() {
        return imgW / patch;
    }

    public static boolean isSam(JsonObject config) {
        JsonObject ctor = config.has("constructor") && config.get("constructor").isJsonObject() ? config.getAsJsonObject("constructor") : null;
        return ctor != null && ctor.has("class") && TIMM_SAM_CLASS.equals(ctor.get("class").getAsString());
    }

    /** From timm constructor arguments ({@code {"constructor": {"class": ..., "args": {...}}}}). */
    public static SamVitConfig fromTimmConstructor(JsonObject config, Path file) {
        JsonObject args = Json.object(Json.object(config, "constructor", file), "args", file);
        if (args == null) {
            throw new ModelException(file + ": constructor has no args");
        }
        int numClasses = Json.integer(args, "num_classes", 1000, file);
        if (numClasses != 0) {
            throw new ModelException(file + ": num_classes=" + numClasses + " is not supported for the SAM encoder (0: features only)");
        }
        int neck = Json.integer(args, "neck_chans", 256, file);
        if (neck <= 0) {
            throw new ModelException(file + ": neck_chans=" + neck + " is not supported (the encoder's conv neck is required)");
        }
        int[] img = Json.pair(args, "img_size", 1024, file);
        int embed = Json.integer(args, "embed_dim", 768, file);
        int heads = Json.integer(args, "num_heads", 12, file);
        if (embed % heads != 0) {
            throw new ModelException(file + ": embed_dim " + embed + " is not divisible by num_heads " + heads);
        }
        Set<Integer> global = new HashSet<>();
        JsonElement g = args.get("global_attn_indexes");
        if (g != null && g.isJsonObject() && g.getAsJsonObject().has("tuple")) {
            g = g.getAsJsonObject().get("tuple");
        }
        if (g != null && g.isJsonArray()) {
            g.getAsJsonArray().forEach(e -> global.add(e.getAsInt()));
        }
        return new SamVitConfig(img[0], img[1], Json.integer(args, "patch_size", 16, file), Json.integer(args, "in_chans", 3, file),
                embed, Json.integer(args, "depth", 12, file), heads, (int) (embed * Json.number(args, "mlp_ratio", 4.0, file)),
                Json.bool(args, "qkv_bias", true, file), Json.integer(args, "window_size", 0, file), Set.copyOf(global),
                Json.bool(args, "use_rel_pos", false, file), Json.bool(args, "use_abs_pos", true, file), neck, 1e-5f, 1e-6f);
    }
}
