package org.vitornado.model.detection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.vitornado.kernels.RoiAlignKernels;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.layers.BlockWeights;
import org.vitornado.model.plan.ModelPlan;
import org.vitornado.model.vitdet.VitDetConfig;
import org.vitornado.model.vitdet.VitDetModel;
import org.vitornado.runtime.CompiledPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.ConvTranspose2x2;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * detectron2's ViTDet Mask R-CNN ({@code GeneralizedRCNN.inference}) as one plan in three stages, with the host's
 * sequential work between them. Shapes for a batch of {@code B} images padded to {@code S x S}, {@code C} pyramid
 * channels, {@code A} anchors per cell, {@code K} classes, {@code P = post_nms_topk}, {@code D = test_topk_per_image}:
 * <pre>
 *   stage rpn        images [B, 3, S, S] -> ViTDet + pyramid: p2..p6 [B, S/4.., S/4.., C]
 *                    RPN head per level (shared 3x3 convs, 1x1 convs): logits [B, H, W, A], deltas [B, H, W, 4A]
 *                    anchors + deltas -> boxes [B, H, W, A, 4]                                    (device)
 *   host             per image: top-k per level, clip, NMS per level, first P -> proposals; FPN level per box
 *   stage box_head   ROIs [B P, 6] -> ROIAlignV2 7x7 [B P, 7, 7, C] -> convs + LN + ReLU -> fc + ReLU
 *                    -> class logits [B P, K + 1] -> softmax; box deltas [B P, 4K] -> boxes [B P, K, 4] (device)
 *   host             per image: score threshold, NMS per class, first D -> detections; FPN level per box
 *   stage mask_head  ROIs [B D, 6] -> ROIAlignV2 14x14 -> convs + LN + ReLU -> deconv 2x2 + ReLU
 *                    -> 1x1 predictor: mask logits [B D, 28, 28, K]                                  (device)
 *   host             per image: sigmoid of the detected class's mask, pasted at the output size
 * </pre>
 * The proposals and detections vary in number; the ROI arrays have the fixed sizes {@code B P} and {@code B D}, unused
 * rows hold empty boxes, so no graph is rebuilt. Weights are read by detectron2's names
 * ({@code backbone.*}, {@code proposal_generator.rpn_head.*}, {@code roi_heads.*}).
 */
public final class MaskRcnnModel {

    static final String RPN = "proposal_generator.rpn_head.";
    static final String BOX_HEAD = "roi_heads.box_head.";
    static final String PREDICTOR = "roi_heads.box_predictor.";
    static final String MASK_HEAD = "roi_heads.mask_head.";

    private final MaskRcnnConfig c;
    private final Tensors t;

    public MaskRcnnModel(MaskRcnnConfig config, Tensors tensors) {
        this.c = config;
        this.t = tensors;
    }

    public MaskRcnnConfig config() {
        return c;
    }

    /** A plan for {@code batch} images padded to {@code height x width}; {@code trace} keeps every intermediate for {@code verify}. */
    public Plan plan(int batch, int height, int width, ExecutionOptions options, boolean trace) {
        return new Plan(batch, height, width, options, trace);
    }

    /** One RPN level on the device. */
    private record RpnLevel(String name, FeatureMap logits, FeatureMap deltas, FloatArray boxes) {
    }

    /** A compiled detector: {@link #setImageSizes}, {@link #run}, then {@link #results()}. */
    public final class Plan extends ModelPlan {

        private final boolean trace;
        private final Map<String, FeatureMap> features;
        private final List<RpnLevel> rpnLevels = new ArrayList<>();
        private final int proposalsPerImage;
        private final int detectionsPerImage;
        private final FloatArray boxRois;
        private final FloatArray imageSizes;
        private final Tokens classLogits;
        private final Tokens classProbs;
        private final Tokens boxDeltas;
        private final FloatArray classBoxes;
        private final FloatArray maskRois;
        private final FeatureMap maskLogits;
        private final int[][] sizes;
        private final List<ImageDetections> results = new ArrayList<>();
        private final Map<String, Double> hostMillis = new LinkedHashMap<>();

        Plan(int batch, int height, int width, ExecutionOptions options, boolean trace) {
            super("maskrcnn", options, batch, c.backbone().inChans(), height, width);
            this.trace = trace;
            this.sizes = new int[batch][];
            for (int n = 0; n < batch; n++) {
                sizes[n] = new int[] {height, width};
            }
            MaskRcnnConfig.Rpn rpn = c.rpn();
            MaskRcnnConfig.RoiHeads roi = c.roi();
            int classes = roi.numClasses();

            g.stage("rpn");
            features = new VitDetModel(c.backbone(), t).addTo(g, image());
            int ch = c.backbone().outChannels();
            int a = rpn.anchorsPerCell();
            for (int l = 0; l < rpn.inFeatures().size(); l++) {
                String level = rpn.inFeatures().get(l);
                FeatureMap x = feature(level);
                g.section("rpn_head." + level);
                for (int i = 0; i < rpn.convs(); i++) {
                    String name = rpn.convs() == 1 ? "conv" : "conv.conv" + i;
                    FeatureMap y = FeatureMap.allocate(batch, x.height(), x.width(), ch);
                    g.conv2d("rpn_head." + level + "." + name, x, conv(RPN + name, ch, ch, 3, true), y);
                    g.relu("rpn_head." + level + "." + name + ".relu", y.data());
                    x = y;
                }
                FeatureMap logits = FeatureMap.allocate(batch, x.height(), x.width(), a);
                FeatureMap deltas = FeatureMap.allocate(batch, x.height(), x.width(), 4 * a);
                g.conv2d("rpn_head." + level + ".objectness_logits", x, conv(RPN + "objectness_logits", ch, a, 1, true), logits);
                g.conv2d("rpn_head." + level + ".anchor_deltas", x, conv(RPN + "anchor_deltas", ch, 4 * a, 1, true), deltas);
                int count = batch * x.height() * x.width() * a;
                FloatArray anchors = FloatArray.fromArray(AnchorGenerator.gridAnchors(x.height(), x.width(), rpn.strides()[l], rpn.offset(),
                        rpn.anchorSizes()[l], rpn.aspectRatios()));
                FloatArray boxes = new FloatArray(count * 4);
                g.decodeAnchors("rpn." + level + ".decode", deltas.data(), anchors, boxes, count, rpn.coder());
                g.output(logits.data(), boxes);
                if (trace) {
                    g.output(deltas.data());
                }
                rpnLevels.add(new RpnLevel(level, logits, deltas, boxes));
            }
            if (trace) {
                for (String p : List.of("p2", "p3", "p4", "p5", "p6")) {
                    if (features.containsKey(p)) {
                        g.output(features.get(p).data());
                    }
                }
            }

            g.stage("box_head");
            proposalsPerImage = rpn.postNmsTopk();
            int rois = batch * proposalsPerImage;
            boxRois = g.input(new FloatArray(rois * RoiAlignKernels.FIELDS));
            imageSizes = g.input(new FloatArray(batch * 2));
            FeatureMap x = pool("box_pooler", boxRois, rois, roi.boxPooled());
            x = convs("box_head", BOX_HEAD, "conv", roi.boxConvs(), x);
            Tokens flat = new Tokens(x.data(), 1, rois, x.height() * x.width() * x.channels());
            boolean permute = true;
            for (int i = 0; i < roi.fcDims().length; i++) {
                Tokens y = Tokens.allocate(1, rois, roi.fcDims()[i]);
                String name = BOX_HEAD + "fc" + (i + 1);
                g.linear("box_head.fc" + (i + 1), flat, linear(name, flat.channels(), y.channels(), permute ? x : null), y);
                g.relu("box_head.fc" + (i + 1) + ".relu", y.data());
                flat = y;
                permute = false;
            }
            classLogits = Tokens.allocate(1, rois, classes + 1);
            classProbs = Tokens.allocate(1, rois, classes + 1);
            boxDeltas = Tokens.allocate(1, rois, 4 * classes);
            classBoxes = new FloatArray(rois * classes * 4);
            g.linear("box_predictor.cls_score", flat, linear(PREDICTOR + "cls_score", flat.channels(), classes + 1, permute ? x : null), classLogits);
            g.softmax("box_predictor.softmax", classLogits, classProbs);
            g.linear("box_predictor.bbox_pred", flat, linear(PREDICTOR + "bbox_pred", flat.channels(), 4 * classes, permute ? x : null), boxDeltas);
            g.decodeClipped("box_predictor.decode", boxDeltas.data(), boxRois, imageSizes, classBoxes, rois, classes, roi.coder());
            g.output(classProbs.data(), classBoxes);
            if (trace) {
                g.output(classLogits.data(), boxDeltas.data());
            }

            g.stage("mask_head");
            detectionsPerImage = roi.topkPerImage();
            int dets = batch * detectionsPerImage;
            maskRois = g.input(new FloatArray(dets * RoiAlignKernels.FIELDS));
            FeatureMap m = pool("mask_pooler", maskRois, dets, roi.maskPooled());
            m = convs("mask_head", MASK_HEAD, "mask_fcn", roi.maskConvs(), m);
            FeatureMap up = FeatureMap.allocate(dets, 2 * m.height(), 2 * m.width(), roi.maskDeconv());
            g.convTranspose2x2("mask_head.deconv", m, new ConvTranspose2x2(t.load(MASK_HEAD + "deconv.weight", m.channels(), roi.maskDeconv(), 2, 2),
                    t.load(MASK_HEAD + "deconv.bias", roi.maskDeconv()), m.channels(), roi.maskDeconv()), up);
            g.relu("mask_head.deconv.relu", up.data());
            int maskClasses = roi.clsAgnosticMask() ? 1 : classes;
            maskLogits = FeatureMap.allocate(dets, up.height(), up.width(), maskClasses);
            g.conv2d("mask_head.predictor", up, conv(MASK_HEAD + "predictor", roi.maskDeconv(), maskClasses, 1, true), maskLogits);
            g.output(maskLogits.data());
            compile();
        }

        private FeatureMap feature(String name) {
            FeatureMap f = features.get(name);
            if (f == null) {
                throw new IllegalArgumentException("the backbone has no feature '" + name + "' (it has " + features.keySet() + ")");
            }
            return f;
        }

        /** ROIAlignV2 of {@code count} ROIs from every level of the ROI heads, each ROI from the level the host chose. */
        private FeatureMap pool(String name, FloatArray rois, int count, int pooled) {
            MaskRcnnConfig.RoiHeads roi = c.roi();
            FeatureMap out = FeatureMap.allocate(count, pooled, pooled, c.backbone().outChannels());
            for (int l = 0; l < roi.inFeatures().size(); l++) {
                String level = roi.inFeatures().get(l);
                g.roiAlign(name + "." + level, feature(level), rois, count, l, roi.scales()[l], pooled, out, l > 0);
            }
            return out;
        }

        /** A head's 3x3 convs ({@code prefix + stem + (i + 1)}), each followed by LayerNorm (with conv_norm LN) and ReLU. */
        private FeatureMap convs(String task, String prefix, String stem, int[] dims, FeatureMap x) {
            boolean norm = c.roi().convNorm();
            for (int i = 0; i < dims.length; i++) {
                String name = prefix + stem + (i + 1);
                String label = task + "." + stem + (i + 1);
                g.section(label);
                FeatureMap y = FeatureMap.allocate(x.batch(), x.height(), x.width(), dims[i]);
                g.conv2d(label, x, conv(name, x.channels(), dims[i], 3, !norm), y);
                if (norm) {
                    g.layerNorm(label + ".norm", y.tokens(), BlockWeights.norm(t, name + ".norm", dims[i], VitDetConfig.PYRAMID_EPS), y.tokens());
                }
                g.relu(label + ".relu", y.data());
                x = y;
            }
            return x;
        }

        private Conv2d conv(String name, int in, int out, int kernel, boolean bias) {
            return Conv2d.same(t.load(name + ".weight", out, in, kernel, kernel), bias ? t.load(name + ".bias", out) : new FloatArray(out), in, out,
                    kernel);
        }

        /**
         * {@code nn.Linear}; after a flatten of {@code map} its columns are in PyTorch's (C, H, W) order, and are put in
         * the device's channels-last (H, W, C) order.
         */
        private Linear linear(String name, int in, int out, FeatureMap flattened) {
            FloatArray w = t.load(name + ".weight", out, in);
            if (flattened != null && w.getSize() == (long) out * in) {
                int hw = flattened.height() * flattened.width();
                int chans = flattened.channels();
                FloatArray p = new FloatArray(out * in);
                for (int o = 0; o < out; o++) {
                    for (int ch = 0; ch < chans; ch++) {
                        for (int q = 0; q < hw; q++) {
                            p.set(o * in + q * chans + ch, w.get(o * in + ch * hw + q));
                        }
                    }
                }
                w = p;
            }
            return new Linear(w, t.load(name + ".bias", out), in, out);
        }

        /** The unpadded size of each image (what boxes are clipped to); by default the whole padded input. */
        public void setImageSizes(int[][] heightWidth) {
            if (heightWidth.length != batch) {
                throw new IllegalArgumentException(heightWidth.length + " image sizes for a batch of " + batch);
            }
            for (int n = 0; n < batch; n++) {
                if (heightWidth[n][0] < 1 || heightWidth[n][0] > height || heightWidth[n][1] < 1 || heightWidth[n][1] > width) {
                    throw new IllegalArgumentException("image " + n + " of " + heightWidth[n][0] + "x" + heightWidth[n][1] + " does not fit the input "
                            + height + "x" + width);
                }
                sizes[n] = heightWidth[n].clone();
            }
        }

        @Override
        protected void execute(CompiledPlan plan) {
            MaskRcnnConfig.Rpn rpn = c.rpn();
            MaskRcnnConfig.RoiHeads roi = c.roi();
            int classes = roi.numClasses();
            results.clear();
            hostMillis.clear();

            plan.runStage(0);
            long t0 = System.nanoTime();
            RpnProposals[] proposals = new RpnProposals[batch];
            int[][] boxLevels = new int[batch][];
            for (int n = 0; n < batch; n++) {
                float[][] logits = new float[rpnLevels.size()][];
                float[][] boxes = new float[rpnLevels.size()][];
                for (int l = 0; l < rpnLevels.size(); l++) {
                    RpnLevel level = rpnLevels.get(l);
                    int perImage = level.logits().height() * level.logits().width() * level.logits().channels();
                    logits[l] = slice(level.logits().data(), n * perImage, perImage);
                    boxes[l] = slice(level.boxes(), n * perImage * 4, perImage * 4);
                }
                proposals[n] = RpnProposals.find(logits, boxes, sizes[n][0], sizes[n][1], rpn);
                boxLevels[n] = fillRois(boxRois, n, proposalsPerImage, proposals[n].boxes(), proposals[n].count());
                imageSizes.set(2 * n, sizes[n][0]);
                imageSizes.set(2 * n + 1, sizes[n][1]);
            }

            hostMillis.put("rpn proposals (top-k, clip, NMS)", (System.nanoTime() - t0) / 1e6);
            plan.runStage(1);
            long t1 = System.nanoTime();
            FastRcnnInference[] inference = new FastRcnnInference[batch];
            int[][] maskLevels = new int[batch][];
            int total = 0;
            for (int n = 0; n < batch; n++) {
                int rows = proposals[n].count();
                int first = n * proposalsPerImage;
                float[] probs = slice(classProbs.data(), first * (classes + 1), rows * (classes + 1));
                float[] boxes = slice(classBoxes, first * classes * 4, rows * classes * 4);
                inference[n] = FastRcnnInference.run(probs, boxes, rows, classes, roi);
                Detection[] d = inference[n].detections();
                float[] detBoxes = new float[d.length * 4];
                for (int i = 0; i < d.length; i++) {
                    detBoxes[4 * i] = d[i].x0();
                    detBoxes[4 * i + 1] = d[i].y0();
                    detBoxes[4 * i + 2] = d[i].x1();
                    detBoxes[4 * i + 3] = d[i].y1();
                }
                maskLevels[n] = fillRois(maskRois, n, detectionsPerImage, detBoxes, d.length);
                total += d.length;
            }
            hostMillis.put("fast_rcnn_inference (threshold, NMS)", (System.nanoTime() - t1) / 1e6);
            if (total > 0) {
                plan.runStage(2);
            }
            int m = maskLogits.height();
            int km = maskLogits.channels();
            for (int n = 0; n < batch; n++) {
                int count = inference[n].detections().length;
                float[] masks = count == 0 ? new float[0]
                        : FeatureMap.toNchw(slice(maskLogits.data(), n * detectionsPerImage * m * m * km, count * m * m * km), count, m, m, km);
                int first = n * proposalsPerImage;
                int rows = proposals[n].count();
                results.add(new ImageDetections(sizes[n][0], sizes[n][1], proposals[n], boxLevels[n],
                        trace ? slice(classLogits.data(), first * (classes + 1), rows * (classes + 1)) : null,
                        trace ? slice(boxDeltas.data(), first * 4 * classes, rows * 4 * classes) : null, inference[n], maskLevels[n], masks, m, km));
            }
        }

        /**
         * Writes image {@code n}'s {@code count} boxes into its {@code slots} ROI rows, with the pyramid level each is
         * pooled from (detectron2's {@code assign_boxes_to_levels}); the remaining rows get empty boxes. Returns the levels.
         */
        private int[] fillRois(FloatArray rois, int n, int slots, float[] boxes, int count) {
            MaskRcnnConfig.RoiHeads roi = c.roi();
            int[] levels = new int[count];
            for (int j = 0; j < slots; j++) {
                int row = (n * slots + j) * RoiAlignKernels.FIELDS;
                rois.set(row, n);
                if (j < count) {
                    levels[j] = RoiLevels.assign(boxes[4 * j], boxes[4 * j + 1], boxes[4 * j + 2], boxes[4 * j + 3], roi);
                    rois.set(row + 1, levels[j]);
                    for (int q = 0; q < 4; q++) {
                        rois.set(row + 2 + q, boxes[4 * j + q]);
                    }
                } else {
                    for (int q = 1; q < RoiAlignKernels.FIELDS; q++) {
                        rois.set(row + q, 0.0f);
                    }
                }
            }
            return levels;
        }

        @Override
        public List<String> hostWork() {
            MaskRcnnConfig.Rpn rpn = c.rpn();
            MaskRcnnConfig.RoiHeads roi = c.roi();
            return List.of(String.format("per image: top %d logits of each level, clip to the image, drop empty boxes, NMS %.2f per level, "
                    + "first %d -> %d ROI rows with their FPN level", rpn.preNmsTopk(), rpn.nmsThresh(), rpn.postNmsTopk(), batch * proposalsPerImage),
                    String.format("per image: probabilities > %.2f, NMS %.2f per class, first %d -> %d ROI rows; after the mask head: sigmoid of "
                            + "each detection's class mask, pasted at the image's size", roi.scoreThresh(), roi.nmsThresh(), roi.topkPerImage(),
                            batch * detectionsPerImage));
        }

        @Override
        public Map<String, Double> hostMillis() {
            return new LinkedHashMap<>(hostMillis);
        }

        /** Every image's result of the last {@link #run}. */
        public List<ImageDetections> results() {
            return List.copyOf(results);
        }

        /** Everything the reference fixtures store, by their names (prefixed {@code imageN.} for a batch of several). */
        @Override
        public Map<String, float[]> outputs() {
            Map<String, float[]> out = new LinkedHashMap<>();
            if (trace) {
                for (String p : List.of("p2", "p3", "p4", "p5", "p6")) {
                    if (features.containsKey(p)) {
                        out.put("backbone." + p, features.get(p).toNchw());
                    }
                }
            }
            for (int n = 0; n < results.size(); n++) {
                String prefix = batch == 1 ? "" : "image" + n + ".";
                if (trace) {
                    for (RpnLevel l : rpnLevels) {
                        FeatureMap lg = l.logits();
                        int per = lg.height() * lg.width() * lg.channels();
                        out.put(prefix + "rpn.objectness_logits." + l.name(),
                                FeatureMap.toNchw(slice(lg.data(), n * per, per), 1, lg.height(), lg.width(), lg.channels()));
                        FeatureMap d = l.deltas();
                        out.put(prefix + "rpn.anchor_deltas." + l.name(),
                                FeatureMap.toNchw(slice(d.data(), n * per * 4, per * 4), 1, d.height(), d.width(), d.channels()));
                    }
                }
                results.get(n).addTo(out, prefix, c.rpn().inFeatures());
            }
            return out;
        }

        private static float[] slice(FloatArray a, int from, int n) {
            float[] out = new float[n];
            java.lang.foreign.MemorySegment.copy(a.getSegment(), java.lang.foreign.ValueLayout.JAVA_FLOAT, (long) from * Float.BYTES, out, 0, n);
            return out;
        }
    }
}
