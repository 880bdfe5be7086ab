package org.vitornado.model.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;

import org.vitornado.model.backbone.Backbone;
import org.vitornado.model.backbone.Backbones;
import org.vitornado.model.detection.MaskRcnnConfig;
import org.vitornado.model.detr.DetrConfig;
import org.vitornado.model.detr.DetrModel;
import org.vitornado.model.detection.MaskRcnnModel;
import org.vitornado.model.image.Interpolation;
import org.vitornado.model.image.Normalisation;
import org.vitornado.model.image.Preprocessing;
import org.vitornado.model.io.CountingTensors;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.Limits;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.ModelFiles;
import org.vitornado.model.io.RandomTensors;
import org.vitornado.model.io.TensorLoader;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.plan.ModelPlan;
import org.vitornado.model.segmentation.SegmentationModel;
import org.vitornado.model.segmentation.SegmentationModels;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitConfigReader;
import org.vitornado.model.vit.VitModel;
import org.vitornado.model.vit.VitOutput;
import org.vitornado.model.vitdet.VitDetConfig;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.MemoryBudget;
import org.vitornado.weights.SafetensorsFile;

import com.google.gson.JsonObject;

/**
 * What {@code --model} names, resolved once for every command and for the Java API: a checkpoint on disk (a ViT
 * classifier or encoder, a backbone, a segmenter) or a {@link Presets preset} with random weights. It knows the
 * family, the default input size, the labels and the preprocessing, and compiles the model into a plan for any
 * (batch, height, width). Opening reads only the configs and the safetensors header; weights are read when a plan
 * is compiled. Holds the checkpoint file open until {@link #close()}.
 */
public final class ModelSource implements AutoCloseable {

    /** What the model computes. */
    public enum Kind {
        /** a ViT with a classifier head: class scores */
        CLASSIFIER,
        /** a ViT without a head: the pooled embedding */
        ENCODER,
        /** ViTDet or the SAM encoder: feature maps */
        BACKBONE,
        /** per-pixel class scores */
        SEGMENTER,
        /** boxes and classes, with instance masks for Mask R-CNN (ViTDet Mask R-CNN, DETR) */
        DETECTOR
    }

    /** How one family builds its plan; {@code options == null} builds it for inspection only. */
    @FunctionalInterface
    interface PlanFactory {
        ModelPlan plan(Tensors tensors, int batch, int height, int width, ExecutionOptions options);
    }

    private final String name;
    private final ModelFiles files;
    private final Kind kind;
    private final String description;
    private final int imgH;
    private final int imgW;
    private final int inChans;
    private final int stride;
    private final int classes;
    private final Map<Integer, String> labels;
    private final Preprocessing preprocessing;
    private final PlanFactory factory;
    private final Tensors tensors;
    private final SafetensorsFile checkpoint;
    private final VitConfig vit;
    private final SegmentationModel segmenter;
    private MaskRcnnConfig detector;
    private DetrConfig detr;
    private DetrModel detrWeights;
    private int[] categoryIds;
    private VitModel vitWeights;
    private long parameters = -1;

    /** Activations are measured on a plan of at most this many pixels and scaled up (a 512x512 plan). */
    private static final double PROBE_PIXELS = 512.0 * 512.0;

    private ModelSource(String name, ModelFiles files, Kind kind, String description, int imgH, int imgW, int inChans, int stride,
            int classes, Map<Integer, String> labels, Preprocessing preprocessing, PlanFactory factory, Tensors tensors,
            SafetensorsFile checkpoint, VitConfig vit, SegmentationModel segmenter) {
        this.name = name;
        this.files = files;
        this.kind = kind;
        this.description = description;
        this.imgH = imgH;
        this.imgW = imgW;
        this.inChans = inChans;
        this.stride = stride;
        this.classes = classes;
        this.labels = labels;
        this.preprocessing = preprocessing;
        this.factory = factory;
        this.tensors = tensors;
        this.checkpoint = checkpoint;
        this.vit = vit;
        this.segmenter = segmenter;
    }

    /** A checkpoint path (directory or .safetensors file) or a preset name. */
    public static ModelSource open(String model) {
        if (model == null || model.isBlank()) {
            throw new ModelException("--model is empty: give a checkpoint directory, a .safetensors file or a preset (" + Presets.SUMMARY + ")");
        }
        Path path = Path.of(model);
        if (!Files.exists(path)) {
            ModelSource preset = preset(model);
            if (preset != null) {
                return preset;
            }
            throw new ModelException("--model " + model + ": no such file or directory, and not a preset (presets: " + Presets.SUMMARY + ")");
        }
        ModelFiles files = ModelFiles.locate(path);
        JsonObject config = Json.readObject(files.config());
        SafetensorsFile file;
        try {
            file = SafetensorsFile.open(files.weights());
        } catch (IOException e) {
            throw new ModelException(e.getMessage(), e);
        }
        try {
            return checkpoint(model, files, config, file);
        } catch (IllegalArgumentException e) {
            // A config value out of range: the config file is what to fix.
            file.close();
            throw new ModelException(files.config() + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    private static ModelSource checkpoint(String model, ModelFiles files, JsonObject config, SafetensorsFile file) {
        Tensors tensors = new TensorLoader(file);
        Path cfg = files.config();
        if (MaskRcnnConfig.isMaskRcnn(config)) {
            MaskRcnnConfig c = MaskRcnnConfig.read(config, cfg);
            Map<Integer, String> labels = checkedLabels(VitConfigReader.labels(config, cfg), c.roi().numClasses(), cfg);
            ModelSource s = detector(model, files, c, labels, tensors, file);
            float[] ids = Json.floats(config, "category_ids", null, cfg);
            if (ids != null) {
                if (ids.length != c.roi().numClasses()) {
                    throw new ModelException(cfg + ": " + ids.length + " category_ids for " + c.roi().numClasses() + " classes: give one per class");
                }
                s.categoryIds = new int[ids.length];
                for (int i = 0; i < ids.length; i++) {
                    s.categoryIds[i] = (int) ids[i];
                }
            }
            return s;
        }
        if (DetrConfig.isDetr(config)) {
            DetrConfig c = DetrConfig.read(config, cfg);
            Map<Integer, String> labels = c.labels().isEmpty() ? VitConfigReader.labels(config, cfg) : c.labels();
            return detr(model, files, c, checkedLabels(labels, c.numClasses(), cfg), tensors, file);
        }
        if (SegmentationModels.isSegmentation(config)) {
            SegmentationModel m = SegmentationModels.read(config, cfg);
            Map<Integer, String> labels = checkedLabels(VitConfigReader.labels(config, cfg), m.classes(), cfg);
            float[][] norm = Normalisation.of(config, files);
            return new ModelSource(model, files, Kind.SEGMENTER, m.describe(), m.imgH(), m.imgW(), m.inChans(), m.stride(), m.classes(), labels,
                    dense(m.imgH(), m.imgW(), norm), m::plan, tensors, file, null, m);
        }
        if (Backbones.isBackbone(config)) {
            Backbone b = Backbones.read(config, cfg);
            return new ModelSource(model, files, Kind.BACKBONE, b.describe(), b.imgH(), b.imgW(), b.inChans(), b.stride(), 0, Map.of(),
                    dense(b.imgH(), b.imgW(), Normalisation.of(config, files)), b::plan, tensors, file, null, null);
        }
        if (VitConfigReader.isVit(config)) {
            VitConfig c = VitConfigReader.read(config, cfg);
            Map<Integer, String> labels = checkedLabels(VitConfigReader.labels(config, cfg), c.numClasses(), cfg);
            Preprocessing pre;
            if (files.preprocessor() != null) {
                pre = Preprocessing.fromHuggingFace(Json.readObject(files.preprocessor()), files.preprocessor(), c.imgH(), c.imgW());
            } else {
                JsonObject pretrained = Json.object(config, "pretrained_cfg", cfg);
                pre = pretrained != null ? Preprocessing.fromTimm(pretrained, cfg, c.imgH(), c.imgW()) : Preprocessing.timmDefault(c.imgH(), c.imgW());
            }
            return vit(model, files, c, labels, pre, tensors, file);
        }
        throw new ModelException(cfg + ": not a model vitornado knows (timm or Hugging Face ViT or hybrid ViT, detectron2 ViTDet, timm SAM encoder, "
                + "DEPICT Segmenter, SegFormer, SETR, DETR, or a ViT with \"segmentation_head\": \"linear\")");
    }

    private static ModelSource preset(String name) {
        DetrConfig detrPreset = Presets.detr(name);
        if (detrPreset != null) {
            return detr(name, null, detrPreset, Map.of(), new RandomTensors(name, Map.of()), null);
        }
        MaskRcnnConfig detector = Presets.detector(name);
        if (detector != null) {
            return ModelSource.detector(name, null, detector, Map.of(), new RandomTensors(name, relPosShapes(detector.backbone(), "")), null);
        }
        VitConfig vit = Presets.vit(name);
        if (vit != null) {
            return vit(name, null, vit, Map.of(), Preprocessing.timmDefault(vit.imgH(), vit.imgW()), new RandomTensors(name, Map.of()), null);
        }
        Backbone backbone = Presets.backbone(name);
        if (backbone != null) {
            Map<String, long[]> shapes = backbone instanceof VitDetConfig c ? relPosShapes(c, "") : Map.of();
            return new ModelSource(name, null, Kind.BACKBONE, backbone.describe(), backbone.imgH(), backbone.imgW(), backbone.inChans(),
                    backbone.stride(), 0, Map.of(), dense(backbone.imgH(), backbone.imgW(), Normalisation.imagenet()), backbone::plan,
                    new RandomTensors(name, shapes), null, null, null);
        }
        SegmentationModel seg = Presets.segmenter(name);
        if (seg != null) {
            return new ModelSource(name, null, Kind.SEGMENTER, seg.describe(), seg.imgH(), seg.imgW(), seg.inChans(), seg.stride(), seg.classes(), Map.of(),
                    dense(seg.imgH(), seg.imgW(), Normalisation.imagenet()), seg::plan, new RandomTensors(name, Map.of()), null, null, seg);
        }
        return null;
    }

    /** The rel-pos tables a ViTDet checkpoint would hold: 2 * window - 1 rows in window blocks, 2 * grid - 1 in global ones. */
    private static Map<String, long[]> relPosShapes(VitDetConfig c, String prefix) {
        Map<String, long[]> shapes = new HashMap<>();
        for (int i = 0; i < c.depth(); i++) {
            long len = c.windowBlocks().contains(i) ? 2L * c.window() - 1 : 2L * (c.imgSize() / c.patch()) - 1;
            for (String axis : new String[] {"h", "w"}) {
                shapes.put(prefix + "net.blocks." + i + ".attn.rel_pos_" + axis, new long[] {len, c.headDim()});
            }
        }
        return shapes;
    }

    /** A detector: its input is always the square {@code square_pad} (images are resized and padded into it). */
    private static ModelSource detector(String name, ModelFiles files, MaskRcnnConfig c, Map<Integer, String> labels, Tensors tensors,
            SafetensorsFile file) {
        int side = c.inputSize();
        PlanFactory factory = (t, batch, h, w, options) -> new MaskRcnnModel(c, t).plan(batch, h, w, options, false);
        ModelSource s = new ModelSource(name, files, Kind.DETECTOR, c.describe(), side, side, c.backbone().inChans(), c.backbone().patch(),
                c.roi().numClasses(), labels, dense(side, side, new float[][] {c.input().pixelMean(), c.input().pixelStd()}), factory, tensors, file,
                null, null);
        s.detector = c;
        return s;
    }

    /**
     * DETR: any input size (each batch is compiled at its own padded size; the configured 800x1333 is for {@code bench},
     * {@code plan} and {@code info}), DETR's resize and ImageNet statistics.
     */
    private static ModelSource detr(String name, ModelFiles files, DetrConfig c, Map<Integer, String> labels, Tensors tensors, SafetensorsFile file) {
        ModelSource[] self = new ModelSource[1];
        PlanFactory factory = (t, batch, h, w, options) -> options == null ? DetrModel.load(c, t).plan(batch, h, w, false, null)
                : self[0].detrModel().plan(batch, h, w, false, options);
        self[0] = new ModelSource(name, files, Kind.DETECTOR, c.describe(), c.imgH(), c.imgW(), 3, 1, c.numClasses(), labels,
                dense(c.imgH(), c.imgW(), Normalisation.imagenet()), factory, tensors, file, null, null);
        self[0].detr = c;
        return self[0];
    }

    /** DETR's weights (frozen norms folded), read once and shared by every plan. */
    private synchronized DetrModel detrModel() {
        if (detrWeights == null) {
            detrWeights = DetrModel.load(detr, tensors);
        }
        return detrWeights;
    }

    private static ModelSource vit(String name, ModelFiles files, VitConfig c, Map<Integer, String> labels, Preprocessing pre, Tensors tensors,
            SafetensorsFile file) {
        Kind kind = c.numClasses() > 0 ? Kind.CLASSIFIER : Kind.ENCODER;
        ModelSource[] self = new ModelSource[1];
        PlanFactory factory = (t, batch, h, w, options) -> {
            VitOutput out = c.numClasses() > 0 ? VitOutput.PROBABILITIES : VitOutput.PRE_LOGITS;
            if (options == null) {
                return VitModel.load(c, t).plan(batch, h, w, EnumSet.of(out), null);
            }
            return self[0].vitModel().plan(batch, h, w, EnumSet.of(out), options);
        };
        self[0] = new ModelSource(name, files, kind, c.describe(), c.imgH(), c.imgW(), c.inChans(), c.patch(), c.numClasses(), labels, pre, factory,
                tensors, file, c, null);
        return self[0];
    }

    /** Dense models see the whole image resized to the input size (bilinear), normalised with the config's statistics. */
    private static Preprocessing dense(int h, int w, float[][] norm) {
        return new Preprocessing(h, w, 1.0, true, Interpolation.BILINEAR, norm[0], norm[1]);
    }

    /** Labels must name every class or none: a shorter list is a config error, not something to ignore. */
    private static Map<Integer, String> checkedLabels(Map<Integer, String> labels, int classes, Path file) {
        if (labels.isEmpty() || classes == 0) {
            return labels;
        }
        for (int k : labels.keySet()) {
            if (k < 0 || k >= classes) {
                throw new ModelException(file + ": label for class " + k + ", but the model has " + classes + " classes (0.." + (classes - 1) + ")");
            }
        }
        if (labels.size() != classes) {
            throw new ModelException(file + ": " + labels.size() + " label names for " + classes + " classes: give one per class (label_names or id2label)");
        }
        return labels;
    }

    /** The ViT's weights, read once and shared by every plan. */
    private synchronized VitModel vitModel() {
        if (vitWeights == null) {
            vitWeights = VitModel.load(vit, tensors);
        }
        return vitWeights;
    }

    /** Compiles the model with its weights for {@code batch} images of {@code height x width}. */
    public ModelPlan compile(int batch, int height, int width, ExecutionOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options");
        }
        return factory.plan(tensors, batch, height, width, options);
    }

    /** The task graph only, on placeholder weights: for {@code plan} and {@code info}; it cannot run. */
    public ModelPlan inspect(int batch, int height, int width) {
        return factory.plan(Tensors.placeholders(Path.of(name)), batch, height, width, null);
    }

    /**
     * Checks that the checkpoint holds every tensor the config needs, with the shape it needs, as loading would, but
     * reading only the header. Returns the number of tensors checked; a preset has nothing to check (0).
     */
    public int validate() {
        if (checkpoint == null) {
            return 0;
        }
        TensorLoader checked = TensorLoader.headerOnly(checkpoint);
        try (ModelPlan plan = factory.plan(checked, 1, imgH, imgW, null)) {
            return checked.checked();
        }
    }

    /**
     * Parameters the model loads: counted on the checkpoint's header (or the preset's shapes) while its plan is
     * built on stand-ins, so nothing is read.
     */
    public synchronized long parameters() {
        if (parameters < 0) {
            CountingTensors counting = new CountingTensors(checkpoint != null ? TensorLoader.headerOnly(checkpoint) : Tensors.placeholders(Path.of(name)));
            try (ModelPlan plan = factory.plan(counting, 1, imgH, imgW, null)) {
                parameters = counting.elements();
            }
        }
        return parameters;
    }

    /**
     * Array memory {@code batch} images of {@code height x width} need: the weights (float32) plus the activations.
     * The activations are measured on the plan itself, built on stand-in weights at batch 1: at the requested size when
     * it is small, otherwise at two smaller sizes, from which the part that grows with the pixels (activations) and
     * the part that does not (a detector's ROI buffers) are extrapolated.
     */
    public long estimateBytes(int batch, int height, int width) {
        double pixels = (double) height * width;
        double perImage;
        if (pixels <= PROBE_PIXELS) {
            perImage = probe(height, width);
        } else {
            // Two probes, at a quarter and at all of the probe size, separate what grows with the pixels from what
            // does not (a detector's ROI buffers), then extrapolate.
            double s = Math.sqrt(PROBE_PIXELS / pixels);
            int h2 = Math.max(stride, (int) (height * s) / stride * stride);
            int w2 = Math.max(stride, (int) (width * s) / stride * stride);
            int h1 = Math.max(stride, h2 / 2 / stride * stride);
            int w1 = Math.max(stride, w2 / 2 / stride * stride);
            double p1 = (double) h1 * w1;
            double p2 = (double) h2 * w2;
            long b1 = probe(h1, w1);
            long b2 = probe(h2, w2);
            double perPixel = p2 > p1 ? Math.max(0, (b2 - b1) / (p2 - p1)) : b2 / p2;
            double fixed = Math.max(0, b2 - perPixel * p2);
            perImage = fixed + perPixel * pixels;
        }
        return (long) Math.min(Long.MAX_VALUE / 2.0, 4.0 * parameters() + perImage * batch);
    }

    /** Array bytes of a batch-1 plan at {@code height x width}, built on stand-in weights. */
    private long probe(int height, int width) {
        try (ModelPlan plan = inspect(1, height, width)) {
            return plan.arrayBytes();
        }
    }

    /**
     * Fails before anything is allocated when {@code batch} images of {@code height x width} would not fit in the
     * memory {@code options}' backend has left, with the batch or size that would fit.
     */
    public void checkFits(int batch, int height, int width, ExecutionOptions options) {
        Limits.check("--batch", batch, 1, Limits.MAX_BATCH);
        Limits.side("--size height", height);
        Limits.side("--size width", width);
        if (height % stride != 0 || width % stride != 0) {
            throw new ModelException("--size " + height + "x" + width + ": both sides must be multiples of the patch size " + stride);
        }
        long need = estimateBytes(batch, height, width);
        MemoryBudget budget = MemoryBudget.of(options);
        if (need <= budget.freeBytes()) {
            return;
        }
        long weights = 4 * parameters();
        long perImage = Math.max(1, (need - weights) / batch);
        long fitBatch = (budget.freeBytes() - weights) / perImage;
        String fits;
        if (fitBatch >= 1) {
            fits = "--batch " + Math.min(fitBatch, batch - 1) + " fits";
        } else {
            double scale = Math.sqrt(Math.max(0, budget.freeBytes() - weights) / (double) perImage);
            int h = (int) (height * scale) / stride * stride;
            int w = (int) (width * scale) / stride * stride;
            fits = h >= stride && w >= stride ? (batch > 1 ? "--batch 1 --size " : "--size ") + h + "x" + w + " fits" : "not even one small image fits";
        }
        throw new ModelException(String.format("batch %d at %dx%d needs about %s of array memory and %s are free: %s (or %s)", batch, height, width,
                MemoryBudget.gigabytes(need), MemoryBudget.gigabytes(budget.freeBytes()), fits, budget.limitFlag()));
    }

    /** The name {@code --model} gave. */
    public String name() {
        return name;
    }

    public boolean isPreset() {
        return files == null;
    }

    /** The checkpoint's files; {@code null} for a preset. */
    public ModelFiles files() {
        return files;
    }

    public Kind kind() {
        return kind;
    }

    /** One line: family and geometry. */
    public String describe() {
        return description;
    }

    public int imgH() {
        return imgH;
    }

    public int imgW() {
        return imgW;
    }

    public int inChans() {
        return inChans;
    }

    /** Input sides must be multiples of this (the patch size; 1 when any size works). */
    public int stride() {
        return stride;
    }

    /** Classes of a classifier or segmenter; 0 otherwise. */
    public int classes() {
        return classes;
    }

    /** Class names from the config ({@code label_names}, {@code id2label}); empty when it has none. */
    public Map<Integer, String> labels() {
        return labels;
    }

    /** The name of class {@code k}, or {@code class k}. */
    public String label(int k) {
        return labels.getOrDefault(k, "class " + k);
    }

    /** How an image becomes the input at the default size. */
    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** The ViT's config, for ViT classifiers and encoders; {@code null} otherwise. */
    public VitConfig vit() {
        return vit;
    }

    /** The segmenter's architecture, for segmenters; {@code null} otherwise. */
    public SegmentationModel segmenter() {
        return segmenter;
    }

    /** A detector's dataset category id per class ({@code category_ids} in its config), or {@code null}. */
    public int[] categoryIds() {
        return categoryIds == null ? null : categoryIds.clone();
    }

    /** The detector's architecture, for detectors; {@code null} otherwise. */
    /** The DETR config, or {@code null} for another model. */
    public DetrConfig detr() {
        return detr;
    }

    public MaskRcnnConfig detector() {
        return detector;
    }

    /** The open checkpoint; {@code null} for a preset. */
    public SafetensorsFile checkpoint() {
        return checkpoint;
    }

    /** The parameter source plans are compiled from (the checkpoint, or random weights for a preset). */
    public Tensors tensors() {
        return tensors;
    }

    @Override
    public void close() {
        if (checkpoint != null) {
            checkpoint.close();
        }
    }
}
