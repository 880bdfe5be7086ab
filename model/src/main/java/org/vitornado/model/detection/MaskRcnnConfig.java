package org.vitornado.model.detection;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.Limits;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.vitdet.VitDetConfig;
import org.vitornado.runtime.ops.DetectionOps.BoxCoder;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/**
 * detectron2's ViTDet Mask R-CNN ({@code configs/common/models/mask_rcnn_vitdet.py}): a {@code GeneralizedRCNN} of
 * the ViTDet backbone with its simple feature pyramid, a {@code StandardRPNHead} and {@code StandardROIHeads} with a
 * conv-fc box head and a mask head. Read from detectron2's constructor arguments (as the reference fixtures and
 * {@code tools/convert_detectron2.py} write them) or named by a preset; every number keeps detectron2's name.
 */
public record MaskRcnnConfig(VitDetConfig backbone, Input input, Rpn rpn, RoiHeads roi) {

    /**
     * What the network sees: {@code (image - pixel_mean) / pixel_std} in {@code format}'s channel order, zero-padded
     * bottom and right to {@code squarePad}; test-time {@code ResizeShortestEdge(shortEdge, maxSize)} before that.
     */
    public record Input(String format, float[] pixelMean, float[] pixelStd, int squarePad, int shortEdge, int maxSize) {
    }

    /**
     * {@code RPN} with {@code StandardRPNHead} ({@code convs} 3x3 convs) and {@code DefaultAnchorGenerator}: one anchor
     * size per level, {@code aspectRatios} at every level, anchor centres at {@code (x + offset) * stride}.
     */
    public record Rpn(List<String> inFeatures, int convs, float[] anchorSizes, float[] aspectRatios, int[] strides, float offset, BoxCoder coder,
            int preNmsTopk, int postNmsTopk, float nmsThresh, float minBoxSize) {

        public int anchorsPerCell() {
            return aspectRatios.length;
        }
    }

    /**
     * {@code StandardROIHeads}: {@code ROIPooler}s (ROIAlignV2, {@code sampling_ratio} 0) on {@code inFeatures} with
     * {@code scales}, a {@code FastRCNNConvFCHead} ({@code boxConvs} 3x3 convs, {@code fcDims} linears), the
     * {@code FastRCNNOutputLayers}' test settings and a {@code MaskRCNNConvUpsampleHead} ({@code maskConvs} 3x3 convs
     * then a 2x2 deconvolution to {@code maskDeconv} channels). {@code convNorm}: LayerNorm after every head conv.
     */
    public record RoiHeads(int numClasses, List<String> inFeatures, float[] scales, int boxPooled, int canonicalBoxSize, int canonicalLevel,
            int[] boxConvs, int[] fcDims, boolean convNorm, BoxCoder coder, float scoreThresh, float nmsThresh, int topkPerImage, int maskPooled,
            int[] maskConvs, int maskDeconv, boolean clsAgnosticMask) {

        /** The pyramid level of {@code inFeatures[0]} (2 for p2). */
        public int minLevel() {
            return level(inFeatures.get(0));
        }

        public int maxLevel() {
            return level(inFeatures.get(inFeatures.size() - 1));
        }

        public int maskSize() {
            return 2 * maskPooled;
        }
    }

    public MaskRcnnConfig {
        Limits.bound("num_classes", roi.numClasses, 1, Limits.MAX_CLASSES);
        Limits.bound("pre_nms_topk", rpn.preNmsTopk, 1, 1 << 20);
        Limits.bound("post_nms_topk", rpn.postNmsTopk, 1, 1 << 16);
        Limits.bound("test_topk_per_image", roi.topkPerImage, 1, 1 << 16);
        Limits.bound("square_pad", input.squarePad, 0, Limits.MAX_SIDE);
        Limits.bound("output_size", roi.boxPooled, 1, 64);
        Limits.bound("output_size", roi.maskPooled, 1, 64);
        if (rpn.anchorSizes.length != rpn.inFeatures.size() || rpn.strides.length != rpn.inFeatures.size()) {
            throw new IllegalArgumentException("the anchor generator needs one size and one stride per RPN level (" + rpn.inFeatures + ")");
        }
    }

    /** The side the backbone sees: the square padding ({@code square_pad}), or the backbone's image size. */
    public int inputSize() {
        return input.squarePad > 0 ? input.squarePad : backbone.imgSize();
    }

    public String describe() {
        return String.format(Locale.ROOT, "ViTDet Mask R-CNN (detectron2): %d classes, RPN on %s (%d proposals), ROI heads on %s; backbone %s",
                roi.numClasses, String.join("/", rpn.inFeatures), rpn.postNmsTopk, String.join("/", roi.inFeatures), backbone.describe());
    }

    static int level(String feature) {
        if (!feature.matches("p[1-9]")) {
            throw new IllegalArgumentException("feature '" + feature + "' is not a pyramid level p2..p6");
        }
        return feature.charAt(1) - '0';
    }

    // ---------------------------------------------------------------- presets

    /** Preset names, for messages. */
    public static final List<String> PRESETS = List.of("mask_rcnn_vitdet_b", "mask_rcnn_vitdet_l", "mask_rcnn_vitdet_h");

    /**
     * detectron2's COCO models, {@code projects/ViTDet/configs/COCO/mask_rcnn_vitdet_{b,l,h}_100ep.py}: 80 classes,
     * LSJ test size 1024 (shortest edge 1024, longest at most 1024, square padding 1024), ImageNet RGB statistics,
     * 1000 proposals, conv-norm LN heads; {@code null} for another name.
     */
    public static MaskRcnnConfig preset(String name) {
        String key = name.toLowerCase(Locale.ROOT).replace('-', '_');
        if (!key.startsWith("mask_rcnn_vitdet_")) {
            return null;
        }
        VitDetConfig backbone = VitDetConfig.preset("vitdet_" + key.substring("mask_rcnn_vitdet_".length()));
        if (backbone == null) {
            return null;
        }
        return coco(backbone, 80);
    }

    /** The COCO heads of {@code mask_rcnn_vitdet.py} on {@code backbone}, for {@code classes} classes. */
    static MaskRcnnConfig coco(VitDetConfig backbone, int classes) {
        List<String> rpnLevels = List.of("p2", "p3", "p4", "p5", "p6");
        List<String> roiLevels = List.of("p2", "p3", "p4", "p5");
        Input input = new Input("RGB", new float[] {123.675f, 116.28f, 103.53f}, new float[] {58.395f, 57.12f, 57.375f}, 1024, 1024, 1024);
        Rpn rpn = new Rpn(rpnLevels, 2, new float[] {32, 64, 128, 256, 512}, new float[] {0.5f, 1, 2}, new int[] {4, 8, 16, 32, 64}, 0.0f,
                new BoxCoder(1, 1, 1, 1, SCALE_CLAMP), 1000, 1000, 0.7f, 0.0f);
        RoiHeads roi = new RoiHeads(classes, roiLevels, new float[] {0.25f, 0.125f, 0.0625f, 0.03125f}, 7, 224, 4, new int[] {256, 256, 256, 256},
                new int[] {1024}, true, new BoxCoder(10, 10, 5, 5, SCALE_CLAMP), 0.05f, 0.5f, 100, 14, new int[] {256, 256, 256, 256}, 256, false);
        return new MaskRcnnConfig(backbone, input, rpn, roi);
    }

    /** {@code Box2BoxTransform}'s default {@code scale_clamp}: log(1000 / 16). */
    static final float SCALE_CLAMP = (float) Math.log(1000.0 / 16);

    // ---------------------------------------------------------------- detectron2 constructor arguments

    static final String RCNN_CLASS = "detectron2.modeling.meta_arch.rcnn.GeneralizedRCNN";

    /** {@code {"constructor": {"class": GeneralizedRCNN, ...}}} or {@code {"preset": "mask_rcnn_vitdet_b"}}. */
    public static boolean isMaskRcnn(JsonObject config) {
        if (config.has("preset") && config.get("preset").isJsonPrimitive()) {
            return preset(config.get("preset").getAsString()) != null;
        }
        JsonObject ctor = config.has("constructor") && config.get("constructor").isJsonObject() ? config.getAsJsonObject("constructor") : null;
        return ctor != null && ctor.has("class") && RCNN_CLASS.equals(ctor.get("class").getAsString());
    }

    /**
     * A config {@link #isMaskRcnn} accepts. A preset may set {@code num_classes} (a COCO-architecture model fine-tuned
     * on other classes).
     */
    public static MaskRcnnConfig read(JsonObject config, Path file) {
        if (config.has("preset")) {
            String name = Json.string(config, "preset", "", file);
            MaskRcnnConfig c = preset(name);
            if (c == null) {
                throw new ModelException(file + ": unknown preset '" + name + "' (known: " + String.join(", ", PRESETS) + ")");
            }
            int classes = Json.integer(config, "num_classes", 80, file);
            return classes == 80 ? c : coco(c.backbone(), classes);
        }
        return fromConstructor(config, file);
    }

    /** From detectron2's constructor arguments ({@code GeneralizedRCNN} and everything in it). */
    public static MaskRcnnConfig fromConstructor(JsonObject config, Path file) {
        JsonObject args = args(Json.object(config, "constructor", file), RCNN_CLASS, file);
        JsonObject backboneCtor = new JsonObject();
        backboneCtor.add("constructor", Json.object(args, "backbone", file));
        VitDetConfig backbone = VitDetConfig.fromConstructor(backboneCtor, file);
        JsonObject sfp = args(Json.object(args, "backbone", file), null, file);

        float[] mean = floats(args, "pixel_mean", file);
        float[] std = floats(args, "pixel_std", file);
        String format = Json.string(args, "input_format", "BGR", file);
        if (!format.equals("RGB") && !format.equals("BGR")) {
            throw new ModelException(file + ": input_format '" + format + "' is not supported (RGB, BGR)");
        }
        if (mean.length != 3 || std.length != 3) {
            throw new ModelException(file + ": pixel_mean and pixel_std need 3 values each");
        }
        JsonObject test = Json.object(config, "test", file);
        int square = Json.integer(sfp, "square_pad", 0, file);
        int shortEdge = test == null ? backbone.imgSize() : Json.integer(test, "short_edge_length", backbone.imgSize(), file);
        int maxSize = test == null ? backbone.imgSize() : Json.integer(test, "max_size", backbone.imgSize(), file);
        Input input = new Input(format, mean, std, square, shortEdge, maxSize);

        JsonObject rpnArgs = args(Json.object(args, "proposal_generator", file), "detectron2.modeling.proposal_generator.rpn.RPN", file);
        JsonObject head = args(Json.object(rpnArgs, "head", file), "detectron2.modeling.proposal_generator.rpn.StandardRPNHead", file);
        JsonObject anchors = args(Json.object(rpnArgs, "anchor_generator", file), "detectron2.modeling.anchor_generator.DefaultAnchorGenerator", file);
        List<String> rpnLevels = strings(rpnArgs, "in_features", file);
        float[][] sizes = nested(anchors, "sizes", file);
        float[] anchorSizes = new float[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i].length != 1) {
                throw new ModelException(file + ": anchor_generator.sizes must give one size per level, got " + sizes[i].length + " at level " + i);
            }
            anchorSizes[i] = sizes[i][0];
        }
        float[] ratios = floats(anchors, "aspect_ratios", file);
        float[] strideValues = floats(anchors, "strides", file);
        int[] strides = new int[strideValues.length];
        for (int i = 0; i < strides.length; i++) {
            strides[i] = (int) strideValues[i];
        }
        JsonElement dims = head.get("conv_dims");
        int convs = dims == null || dims.isJsonNull() ? 1 : unwrap(dims).getAsJsonArray().size();
        for (JsonElement d : dims == null || dims.isJsonNull() ? new JsonArray() : unwrap(dims).getAsJsonArray()) {
            if (d.getAsInt() != -1) {
                throw new ModelException(file + ": StandardRPNHead conv_dims other than -1 (the input's channels) are not supported");
            }
        }
        int anchorsPerCell = Json.integer(head, "num_anchors", ratios.length, file);
        if (anchorsPerCell != ratios.length) {
            throw new ModelException(file + ": num_anchors " + anchorsPerCell + " differs from the " + ratios.length + " aspect ratios");
        }
        int[] pre = topk(rpnArgs, "pre_nms_topk", file);
        int[] post = topk(rpnArgs, "post_nms_topk", file);
        Rpn rpn = new Rpn(rpnLevels, convs, anchorSizes, ratios, strides, (float) Json.number(anchors, "offset", 0.5, file),
                coder(rpnArgs, file), pre[1], post[1], (float) Json.number(rpnArgs, "nms_thresh", 0.7, file),
                (float) Json.number(rpnArgs, "min_box_size", 0.0, file));

        JsonObject roiArgs = args(Json.object(args, "roi_heads", file), "detectron2.modeling.roi_heads.roi_heads.StandardROIHeads", file);
        int classes = Json.integer(roiArgs, "num_classes", 80, file);
        JsonObject boxPooler = args(Json.object(roiArgs, "box_pooler", file), "detectron2.modeling.poolers.ROIPooler", file);
        JsonObject maskPooler = args(Json.object(roiArgs, "mask_pooler", file), "detectron2.modeling.poolers.ROIPooler", file);
        for (JsonObject pooler : List.of(boxPooler, maskPooler)) {
            String type = Json.string(pooler, "pooler_type", "ROIAlignV2", file);
            if (!type.equals("ROIAlignV2") || Json.integer(pooler, "sampling_ratio", 0, file) != 0) {
                throw new ModelException(file + ": only ROIPooler(pooler_type='ROIAlignV2', sampling_ratio=0) is supported, got " + type);
            }
        }
        JsonObject boxHead = args(Json.object(roiArgs, "box_head", file), "detectron2.modeling.roi_heads.box_head.FastRCNNConvFCHead", file);
        JsonObject predictor = args(Json.object(roiArgs, "box_predictor", file), "detectron2.modeling.roi_heads.fast_rcnn.FastRCNNOutputLayers", file);
        JsonObject maskHead = args(Json.object(roiArgs, "mask_head", file), "detectron2.modeling.roi_heads.mask_head.MaskRCNNConvUpsampleHead", file);
        if (Json.bool(predictor, "cls_agnostic_bbox_reg", false, file) || Json.bool(predictor, "use_sigmoid_ce", false, file)) {
            throw new ModelException(file + ": cls_agnostic_bbox_reg and use_sigmoid_ce are not supported");
        }
        String boxNorm = Json.string(boxHead, "conv_norm", "", file);
        String maskNorm = Json.string(maskHead, "conv_norm", "", file);
        if (!boxNorm.equals(maskNorm) || !(boxNorm.equals("LN") || boxNorm.isEmpty())) {
            throw new ModelException(file + ": conv_norm must be 'LN' or '' in both heads, got '" + boxNorm + "' and '" + maskNorm + "'");
        }
        int[] maskDims = ints(maskHead, "conv_dims", file);
        if (maskDims.length < 1) {
            throw new ModelException(file + ": mask_head.conv_dims needs at least the deconvolution's width");
        }
        int[] maskConvs = java.util.Arrays.copyOf(maskDims, maskDims.length - 1);
        RoiHeads roi = new RoiHeads(classes, strings(roiArgs, "box_in_features", file), floats(boxPooler, "scales", file),
                Json.pair(boxPooler, "output_size", 7, file)[0], Json.integer(boxPooler, "canonical_box_size", 224, file),
                Json.integer(boxPooler, "canonical_level", 4, file), ints(boxHead, "conv_dims", file), ints(boxHead, "fc_dims", file),
                boxNorm.equals("LN"), coder(predictor, file), (float) Json.number(predictor, "test_score_thresh", 0.05, file),
                (float) Json.number(predictor, "test_nms_thresh", 0.5, file), Json.integer(predictor, "test_topk_per_image", 100, file),
                Json.pair(maskPooler, "output_size", 14, file)[0], maskConvs, maskDims[maskDims.length - 1],
                Json.bool(maskHead, "cls_agnostic_mask", false, file));
        if (!roi.inFeatures().equals(strings(roiArgs, "mask_in_features", file)) || roi.scales().length != roi.inFeatures().size()) {
            throw new ModelException(file + ": the box and mask poolers must read the same levels, with one scale per level");
        }
        return new MaskRcnnConfig(backbone, input, rpn, roi);
    }

    /** The {@code args} of a {@code {"class": ..., "args": ...}} object, checking the class when {@code expected} is given. */
    private static JsonObject args(JsonObject instance, String expected, Path file) {
        if (instance == null) {
            throw new ModelException(file + ": missing " + (expected == null ? "an object" : expected));
        }
        String cls = Json.string(instance, "class", "", file);
        if (expected != null && !expected.equals(cls)) {
            throw new ModelException(file + ": expected " + expected + ", got '" + cls + "'");
        }
        JsonObject a = Json.object(instance, "args", file);
        return a == null ? new JsonObject() : a;
    }

    private static JsonElement unwrap(JsonElement e) {
        return e != null && e.isJsonObject() && e.getAsJsonObject().has("tuple") ? e.getAsJsonObject().get("tuple") : e;
    }

    private static float[] floats(JsonObject o, String key, Path file) {
        JsonObject tmp = new JsonObject();
        tmp.add(key, unwrap(o.get(key)));
        float[] v = Json.floats(tmp, key, null, file);
        if (v == null) {
            throw new ModelException(file + ": missing '" + key + "'");
        }
        return v;
    }

    private static int[] ints(JsonObject o, String key, Path file) {
        float[] f = Json.has(o, key) ? floats(o, key, file) : new float[0];
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Limits.check(key, (long) f[i], 1, Limits.MAX_WIDTH);
        }
        return out;
    }

    private static float[][] nested(JsonObject o, String key, Path file) {
        JsonElement e = unwrap(o.get(key));
        if (e == null || !e.isJsonArray()) {
            throw new ModelException(file + ": '" + key + "' must be a list of lists");
        }
        float[][] out = new float[e.getAsJsonArray().size()][];
        for (int i = 0; i < out.length; i++) {
            JsonObject tmp = new JsonObject();
            tmp.add(key, unwrap(e.getAsJsonArray().get(i)));
            out[i] = floats(tmp, key, file);
        }
        return out;
    }

    private static List<String> strings(JsonObject o, String key, Path file) {
        JsonElement e = unwrap(o.get(key));
        if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
            throw new ModelException(file + ": '" + key + "' must be a list of feature names");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement v : e.getAsJsonArray()) {
            try {
                level(v.getAsString());
            } catch (IllegalArgumentException ex) {
                throw new ModelException(file + ": '" + key + "': " + ex.getMessage());
            }
            out.add(v.getAsString());
        }
        return out;
    }

    /** detectron2 keeps (train, test) pairs: the test value. */
    private static int[] topk(JsonObject o, String key, Path file) {
        float[] v = floats(o, key, file);
        if (v.length != 2) {
            throw new ModelException(file + ": '" + key + "' must be a (train, test) pair");
        }
        return new int[] {(int) v[0], (int) v[1]};
    }

    private static BoxCoder coder(JsonObject owner, Path file) {
        JsonObject t = args(Json.object(owner, "box2box_transform", file), "detectron2.modeling.box_regression.Box2BoxTransform", file);
        float[] w = floats(t, "weights", file);
        if (w.length != 4) {
            throw new ModelException(file + ": Box2BoxTransform weights must be 4 numbers");
        }
        return new BoxCoder(w[0], w[1], w[2], w[3], (float) Json.number(t, "scale_clamp", Math.log(1000.0 / 16), file));
    }
}
