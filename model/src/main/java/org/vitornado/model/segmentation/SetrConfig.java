package org.vitornado.model.segmentation;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.runtime.ExecutionOptions;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * SETR as mmsegmentation defines it: an mmseg {@code VisionTransformer} whose chosen block outputs
 * ({@code out_indices}) feed one of
 * <ul>
 * <li>{@code SETRUPHead} — naive ({@code num_convs=1, up_scale=4, kernel_size=1}) or PUP ({@code num_convs=4,
 * up_scale=2, kernel_size=3}): LayerNorm, then per conv {@code ConvModule(conv, BN, ReLU)} and a bilinear
 * x{@code up_scale}, then {@code conv_seg};</li>
 * <li>{@code SETRMLAHead} after an {@code MLANeck} (MLA): per level LayerNorm and a 1x1 {@code ConvModule}, top-down
 * sums from the deepest level, a 3x3 {@code ConvModule} each; then per level two 3x3 {@code ConvModule}s and a bilinear
 * x{@code up_scale}, concatenated, then {@code conv_seg}.</li>
 * </ul>
 * Scores are resized to the input with the head's {@code align_corners}. Config: mmseg's config dict as JSON
 * (mmengine's {@code Config.dump("config.json")}), read from its {@code model} entry.
 */
public record SetrConfig(VitConfig vit, int[] outIndices, Head head, int classes, boolean alignCorners, float bnEps)
        implements EncoderSegmenter {

    /** The decode head's shape. */
    public record Head(Kind kind, int[] inIndex, int channels, int numConvs, int upScale, int kernelSize, float normEps, int neckChannels,
            float neckNormEps, int mlaChannels) {
    }

    public enum Kind {
        /** SETRUPHead: naive and PUP */
        UP,
        /** MLANeck + SETRMLAHead */
        MLA
    }

    public static boolean isSetr(JsonObject config) {
        JsonObject model = config.has("model") && config.get("model").isJsonObject() ? config.getAsJsonObject("model") : null;
        JsonObject head = model != null && model.has("decode_head") && model.get("decode_head").isJsonObject()
                ? model.getAsJsonObject("decode_head") : null;
        return head != null && head.has("type") && head.get("type").getAsString().startsWith("SETR");
    }

    public static SetrConfig read(JsonObject config, Path file) {
        JsonObject model = Json.object(config, "model", file);
        JsonObject b = Json.object(model, "backbone", file);
        JsonObject h = Json.object(model, "decode_head", file);
        if (b == null || !"VisionTransformer".equals(Json.string(b, "type", "", file))) {
            throw new ModelException(file + ": SETR needs model.backbone of type 'VisionTransformer' (mmseg)");
        }
        int[] img = pair(b, "img_size", 224, file);
        int patch = Json.integer(b, "patch_size", 16, file);
        int embed = Json.integer(b, "embed_dims", 768, file);
        int depth = Json.integer(b, "num_layers", 12, file);
        int heads = Json.integer(b, "num_heads", 12, file);
        if (!Json.bool(b, "with_cls_token", true, file) || Json.bool(b, "output_cls_token", false, file)
                || Json.bool(b, "patch_norm", false, file)) {
            throw new ModelException(file + ": only with_cls_token=True, output_cls_token=False, patch_norm=False are supported");
        }
        String interpolate = Json.string(b, "interpolate_mode", "bicubic", file);
        VitConfig.PosResample resample = switch (interpolate) {
            case "bicubic" -> VitConfig.PosResample.BICUBIC;
            case "bilinear" -> VitConfig.PosResample.BILINEAR;
            default -> throw new ModelException(file + ": interpolate_mode '" + interpolate + "' is not supported (bicubic, bilinear)");
        };
        float eps = normEps(b, "norm_cfg", 1e-5f, file);
        int mlp = (int) (embed * Json.number(b, "mlp_ratio", 4, file));
        VitConfig vit = new VitConfig(img[0], img[1], patch, Json.integer(b, "in_channels", 3, file), embed, depth, heads, mlp,
                Json.bool(b, "qkv_bias", true, file), true, true, true, false, Json.bool(b, "pre_norm", false, file),
                Json.bool(b, "final_norm", false, file), false, VitConfig.Pool.NONE, 0, true, eps, resample);
        int[] out = ints(b.get("out_indices"), new int[] {depth - 1});
        for (int i = 0; i < out.length; i++) {
            out[i] = out[i] < 0 ? depth + out[i] : out[i];
        }

        String type = Json.string(h, "type", "", file);
        int classes = Json.integer(h, "num_classes", -1, file);
        if (classes < 1) {
            throw new ModelException(file + ": decode_head.num_classes must be positive");
        }
        float bnEps = normEps(h, "norm_cfg", 1e-5f, file);
        Head head;
        if (type.equals("SETRUPHead")) {
            head = new Head(Kind.UP, ints(h.get("in_index"), new int[] {-1}), Json.integer(h, "channels", 256, file),
                    Json.integer(h, "num_convs", 1, file), Json.integer(h, "up_scale", 4, file), Json.integer(h, "kernel_size", 3, file),
                    normEps(h, "norm_layer", 1e-6f, file), 0, 0, 0);
        } else if (type.equals("SETRMLAHead")) {
            JsonObject neck = Json.object(model, "neck", file);
            if (neck == null || !"MLANeck".equals(Json.string(neck, "type", "", file))) {
                throw new ModelException(file + ": SETRMLAHead needs model.neck of type 'MLANeck'");
            }
            int[] neckIn = ints(neck.get("in_channels"), null);
            if (neckIn == null || neckIn.length != out.length) {
                throw new ModelException(file + ": MLANeck in_channels must list one width per backbone out_index");
            }
            head = new Head(Kind.MLA, ints(h.get("in_index"), null), Json.integer(h, "channels", 512, file), 0,
                    Json.integer(h, "up_scale", 4, file), 3, 0, Json.integer(neck, "out_channels", 256, file),
                    normEps(neck, "norm_layer", 1e-6f, file), Json.integer(h, "mla_channels", 128, file));
            if (head.inIndex() == null || head.channels() != head.inIndex().length * head.mlaChannels()) {
                throw new ModelException(file + ": SETRMLAHead channels must be len(in_index) * mla_channels");
            }
        } else {
            throw new ModelException(file + ": decode_head type '" + type + "' is not supported (SETRUPHead, SETRMLAHead)");
        }
        for (int i : head.inIndex()) {
            int k = i < 0 ? out.length + i : i;
            if (k < 0 || k >= out.length) {
                throw new ModelException(file + ": decode_head.in_index " + i + " is not one of the " + out.length + " backbone outputs");
            }
        }
        return new SetrConfig(vit, out, head, classes, Json.bool(h, "align_corners", false, file), bnEps);
    }

    /** The eps of a norm config ({@code dict(type='LN', eps=1e-6)}), or {@code fallback}. */
    private static float normEps(JsonObject o, String key, float fallback, Path file) {
        JsonObject n = Json.object(o, key, file);
        if (n == null) {
            return fallback;
        }
        String type = Json.string(n, "type", "", file).toUpperCase(Locale.ROOT);
        if (!type.isEmpty() && !type.equals("LN") && !type.equals("BN") && !type.equals("SYNCBN") && !type.equals("BN2D")) {
            throw new ModelException(file + ": " + key + " type '" + type + "' is not supported (LN, BN, SyncBN)");
        }
        return (float) Json.number(n, "eps", fallback, file);
    }

    private static int[] pair(JsonObject o, String key, int fallback, Path file) {
        JsonElement e = o.get(key);
        if (e != null && e.isJsonArray()) {
            int[] v = ints(e, null);
            if (v.length == 2) {
                return v;
            }
        }
        int v = Json.integer(o, key, fallback, file);
        return new int[] {v, v};
    }

    private static int[] ints(JsonElement e, int[] fallback) {
        if (e == null || e.isJsonNull()) {
            return fallback;
        }
        if (e.isJsonPrimitive()) {
            return new int[] {e.getAsInt()};
        }
        return e.getAsJsonArray().asList().stream().mapToInt(JsonElement::getAsInt).toArray();
    }

    /** The backbone output the head reads at position {@code i} of its in_index. */
    int tap(int i) {
        int k = head.inIndex()[i];
        return k < 0 ? outIndices.length + k : k;
    }

    @Override
    public VitConfig encoder() {
        return vit;
    }

    @Override
    public String describe() {
        String h = head.kind() == Kind.MLA ? "MLA (neck " + head.neckChannels() + ", mla " + head.mlaChannels() + ")"
                : (head.numConvs() == 1 ? "naive" : "PUP") + " (" + head.numConvs() + " x conv" + head.kernelSize() + " + up x" + head.upScale() + ")";
        return String.format("SETR-%s on %s, block outputs %s, %d classes", h, vit.describe(), Arrays.toString(outIndices), classes);
    }

    @Override
    public SegmentationPlan plan(Tensors tensors, int batch, int height, int width, ExecutionOptions options) {
        return new SetrPlan(this, tensors, batch, height, width, options);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SetrConfig s && describe().equals(s.describe());
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public int stride() {
        return vit.patch();
    }
}
