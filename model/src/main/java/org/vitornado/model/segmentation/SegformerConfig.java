package org.vitornado.model.segmentation;

import org.vitornado.model.io.Limits;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.ExecutionOptions;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * SegFormer: the Mix Transformer (MiT) encoder (overlapping patch embeddings, efficient attention with spatial
 * reduction, Mix-FFN with a depthwise 3x3 conv, a LayerNorm after each stage) and the all-MLP decoder, in either of
 * the two forms people download:
 * <ul>
 * <li>segmentation_models_pytorch {@code Segformer} ({@code encoder.block1.0.attn.q.weight}, ...; logits upsampled x4
 * with align_corners=True);</li>
 * <li>Hugging Face {@code SegformerForSemanticSegmentation} ({@code segformer.encoder.block.0.0.attention.self.query.weight},
 * ...; logits at 1/4 of the input, which {@code segment} upsamples with align_corners=False as HF post-processing does).</li>
 * </ul>
 *
 * @param patchEps  LayerNorm eps of the overlapping patch embeddings (1e-5 in both)
 * @param srEps     LayerNorm eps after the spatial-reduction conv (1e-5 in both)
 * @param blockEps  LayerNorm eps of the blocks' norm1/norm2 (smp: the registered norm_layer, 1e-6; HF: 1e-5)
 * @param stageEps  LayerNorm eps after each stage (as blockEps)
 */
public record SegformerConfig(Naming naming, int inChans, int[] embedDims, int[] heads, int[] mlpRatios, int[] depths, int[] srRatios,
        int[] patchSizes, int[] strides, int decoderChannels, int classes, int imgH, int imgW, float patchEps, float srEps, float blockEps,
        float stageEps) implements SegmentationModel {

    public SegformerConfig {
        Limits.bound("img_size", imgH, 1, Limits.MAX_SIDE);
        Limits.bound("img_size", imgW, 1, Limits.MAX_SIDE);
        Limits.bound("in_chans", inChans, 1, 64);
        Limits.bound("decoder channels", decoderChannels, 1, Limits.MAX_WIDTH);
        Limits.bound("classes", classes, 1, Limits.MAX_CLASSES);
        for (int[] stage : new int[][] {embedDims, heads, mlpRatios, depths, srRatios, patchSizes, strides}) {
            Limits.bound("stages", stage.length, 1, 16);
            for (int v : stage) {
                Limits.bound("stage sizes (embed dims, heads, depths, ratios)", v, 0, Limits.MAX_WIDTH);
            }
        }
        for (int d : depths) {
            Limits.bound("depths", d, 0, Limits.MAX_DEPTH);
        }
    }


    /** Which upstream's parameter names and output convention. */
    public enum Naming {
        SMP, HUGGING_FACE
    }

    static final String SMP_CLASS = "segmentation_models_pytorch.Segformer";
    static final float BN_EPS = 1e-5f;

    public int stages() {
        return embedDims.length;
    }

    public static boolean isSegformer(JsonObject config) {
        JsonObject ctor = config.has("constructor") && config.get("constructor").isJsonObject() ? config.getAsJsonObject("constructor") : null;
        if (ctor != null && ctor.has("class")) {
            return SMP_CLASS.equals(ctor.get("class").getAsString());
        }
        return "Segformer".equals(str(config, "_model_class")) || "segformer".equals(str(config, "model_type"));
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    /** From smp constructor arguments (fixtures), smp's Hub {@code config.json}, or Hugging Face's {@code config.json}. */
    public static SegformerConfig read(JsonObject config, Path file) {
        if ("segformer".equals(str(config, "model_type"))) {
            return fromHuggingFace(config, file);
        }
        JsonObject args = config;
        JsonObject registered = null;
        if (config.has("constructor")) {
            args = Json.object(Json.object(config, "constructor", file), "args", file);
            registered = Json.object(config, "registered_encoders", file);
        }
        String encoder = Json.string(args, "encoder_name", "mit_b0", file);
        int depth = Json.integer(args, "encoder_depth", 5, file);
        if (depth != 5) {
            throw new ModelException(file + ": encoder_depth=" + depth + " is not supported (5)");
        }
        if (Json.integer(args, "upsampling", 4, file) != 4) {
            throw new ModelException(file + ": upsampling must be 4");
        }
        if (Json.has(args, "aux_params") || (Json.has(args, "activation") && !args.get("activation").isJsonNull())) {
            throw new ModelException(file + ": aux_params and activation are not supported (logits only)");
        }
        JsonObject p = registered != null ? Json.object(registered, encoder, file) : null;
        int[] dims;
        int[] heads;
        int[] mlp;
        int[] depths;
        int[] sr;
        float eps = 1e-6f;
        if (p != null) {
            JsonObject params = Json.object(p, "params", file);
            dims = ints(params, "embed_dims", file);
            heads = ints(params, "num_heads", file);
            mlp = ints(params, "mlp_ratios", file);
            depths = ints(params, "depths", file);
            sr = ints(params, "sr_ratios", file);
            JsonObject norm = Json.object(params, "norm_layer", file);
            JsonObject kwargs = norm == null ? null : Json.object(norm, "kwargs", file);
            eps = kwargs == null ? 1e-6f : (float) Json.number(kwargs, "eps", 1e-6, file);
            if (!Json.bool(params, "qkv_bias", true, file)) {
                throw new ModelException(file + ": qkv_bias=false is not supported");
            }
        } else {
            int[][] preset = mitPreset(encoder);
            if (preset == null) {
                throw new ModelException(file + ": encoder_name '" + encoder + "' is not a MiT encoder (mit_b0 .. mit_b5)");
            }
            dims = preset[0];
            depths = preset[1];
            heads = new int[] {1, 2, 5, 8};
            mlp = new int[] {4, 4, 4, 4};
            sr = new int[] {8, 4, 2, 1};
        }
        check(file, dims, heads, mlp, depths, sr);
        int size = Json.integer(args, "img_size", 512, file);
        return new SegformerConfig(Naming.SMP, Json.integer(args, "in_channels", 3, file), dims, heads, mlp, depths, sr, new int[] {7, 3, 3, 3},
                new int[] {4, 2, 2, 2}, Json.integer(args, "decoder_segmentation_channels", 256, file), Json.integer(args, "classes", 1, file),
                size, size, 1e-5f, 1e-5f, eps, eps);
    }

    /** smp's mit_b0..mit_b5: embed dims and depths (heads 1, 2, 5, 8; mlp 4; sr 8, 4, 2, 1). */
    static int[][] mitPreset(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "mit_b0" -> new int[][] {{32, 64, 160, 256}, {2, 2, 2, 2}};
            case "mit_b1" -> new int[][] {{64, 128, 320, 512}, {2, 2, 2, 2}};
            case "mit_b2" -> new int[][] {{64, 128, 320, 512}, {3, 4, 6, 3}};
            case "mit_b3" -> new int[][] {{64, 128, 320, 512}, {3, 4, 18, 3}};
            case "mit_b4" -> new int[][] {{64, 128, 320, 512}, {3, 8, 27, 3}};
            case "mit_b5" -> new int[][] {{64, 128, 320, 512}, {3, 6, 40, 3}};
            default -> null;
        };
    }

    /** SegFormer-B0 at 512x512 with 150 classes (ADE20K), smp names: the benchmark preset. */
    public static SegformerConfig b0(int classes) {
        int[][] p = mitPreset("mit_b0");
        return new SegformerConfig(Naming.SMP, 3, p[0], new int[] {1, 2, 5, 8}, new int[] {4, 4, 4, 4}, p[1], new int[] {8, 4, 2, 1},
                new int[] {7, 3, 3, 3}, new int[] {4, 2, 2, 2}, 256, classes, 512, 512, 1e-5f, 1e-5f, 1e-6f, 1e-6f);
    }

    static SegformerConfig fromHuggingFace(JsonObject c, Path file) {
        int[] dims = ints(c, "hidden_sizes", file);
        int[] heads = ints(c, "num_attention_heads", file);
        int[] mlp = ints(c, "mlp_ratios", file);
        int[] depths = ints(c, "depths", file);
        int[] sr = ints(c, "sr_ratios", file);
        check(file, dims, heads, mlp, depths, sr);
        String act = Json.string(c, "hidden_act", "gelu", file);
        if (!act.equals("gelu")) {
            throw new ModelException(file + ": hidden_act '" + act + "' is not supported (gelu)");
        }
        JsonObject labels = Json.object(c, "id2label", file);
        int classes = labels != null ? labels.size() : Json.integer(c, "num_labels", 2, file);
        int size = Json.integer(c, "image_size", 512, file);
        return new SegformerConfig(Naming.HUGGING_FACE, Json.integer(c, "num_channels", 3, file), dims, heads, mlp, depths, sr,
                ints(c, "patch_sizes", file), ints(c, "strides", file), Json.integer(c, "decoder_hidden_size", 256, file), classes, size, size,
                1e-5f, 1e-5f, 1e-5f, 1e-5f);
    }

    private static int[] ints(JsonObject o, String key, Path file) {
        float[] f = Json.floats(o, key, null, file);
        if (f == null) {
            throw new ModelException(file + ": '" + key + "' is missing");
        }
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = (int) f[i];
        }
        return out;
    }

    private static void check(Path file, int[] dims, int[] heads, int[] mlp, int[] depths, int[] sr) {
        if (dims.length != 4 || heads.length != 4 || mlp.length != 4 || depths.length != 4 || sr.length != 4) {
            throw new ModelException(file + ": a MiT encoder has 4 stages (embed dims, heads, mlp ratios, depths, sr ratios)");
        }
        for (int i = 0; i < 4; i++) {
            if (dims[i] % heads[i] != 0) {
                throw new ModelException(file + ": stage " + (i + 1) + " width " + dims[i] + " is not divisible by " + heads[i] + " heads");
            }
        }
    }

    @Override
    public String describe() {
        return String.format("SegFormer (%s names): MiT dims %s, depths %s, heads %s, sr %s; decoder %d channels; %d classes",
                naming == Naming.SMP ? "smp" : "Hugging Face", Arrays.toString(embedDims), Arrays.toString(depths), Arrays.toString(heads),
                Arrays.toString(srRatios), decoderChannels, classes);
    }

    @Override
    public SegmentationPlan plan(Tensors tensors, int batch, int height, int width, ExecutionOptions options) {
        return new SegformerPlan(this, SegformerCheckpoint.smpNames(tensors, naming == Naming.HUGGING_FACE), batch, height, width, options);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SegformerConfig s && describe().equals(s.describe()) && imgH == s.imgH && imgW == s.imgW;
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }

    /** The stem's 4x downsampling (and the decoder's 4x upsampling) needs sides divisible by 4. */
    @Override
    public int stride() {
        return 4;
    }
}
