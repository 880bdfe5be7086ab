package org.vitornado.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.detection.Detection;
import org.vitornado.model.detection.DetectionInput;
import org.vitornado.model.detection.ImageDetections;
import org.vitornado.model.detection.MaskRcnnConfig;
import org.vitornado.model.detection.MaskRcnnModel;
import org.vitornado.model.detr.DetrConfig;
import org.vitornado.model.detr.DetrInput;
import org.vitornado.model.detr.DetrMasks;
import org.vitornado.model.detr.DetrPlan;
import org.vitornado.model.detr.DetrPostProcess;
import org.vitornado.model.image.Planar;
import org.vitornado.model.image.Preprocessing;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.plan.ModelPlan;
import org.vitornado.model.segmentation.SegmentationInference;
import org.vitornado.model.segmentation.SegmentationPlan;
import org.vitornado.model.source.ModelSource;
import org.vitornado.model.vit.VitOutput;
import org.vitornado.model.vit.VitPlan;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.MemoryBudget;
import org.vitornado.runtime.PlanRunner;

/**
 * A model loaded for inference: the one entry point of vitornado's Java API.
 *
 * <pre>{@code
 * try (VisionModel model = VisionModel.load("models/fashion-vit", Options.defaults().batch(16))) {
 *     for (Classification c : model.classify(List.of(Path.of("shoe.png")), 3)) {
 *         System.out.println(c.source() + ": " + c.best().label() + " " + c.best().score());
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #load} takes what the CLI's {@code --model} takes: a checkpoint directory ({@code model.safetensors} +
 * {@code config.json}, as downloaded from the timm or Hugging Face Hub), a {@code .safetensors} file next to its
 * config, or a preset name ({@code vit_base_patch16_224}, {@code vitdet_b}, {@code segformer_b0}) with random weights.
 * Images are decoded as PIL decodes them and preprocessed as the checkpoint's config says (timm's
 * {@code pretrained_cfg}, Hugging Face's {@code preprocessor_config.json}).
 *
 * <p>The model is compiled for one batch and input size on first use and reused; weights stay on the device between
 * calls. {@link #close()} releases the device memory and the checkpoint file.
 *
 * <p><b>Thread safety:</b> a model may be shared between threads, but its calls run one at a time (they are
 * {@code synchronized}: one plan, one set of device buffers). For parallel inference load one model per thread or
 * per device.
 *
 * <p><b>Errors</b> are {@link ModelException}s (unchecked) with one-line messages that name the file, tensor or
 * argument at fault.
 */
public final class VisionModel implements AutoCloseable {

    private final ModelSource source;
    private final Options options;
    private final ExecutionOptions execution;
    private final Task task;
    private ModelPlan plan;
    private SegmentationInference sliding;
    private boolean closed;

    private VisionModel(ModelSource source, Options options) {
        this.source = source;
        this.options = options;
        this.execution = new ExecutionOptions(options.resolvedBackend(), options.device(), false, options.precision());
        this.task = switch (source.kind()) {
            case CLASSIFIER -> Task.CLASSIFICATION;
            case SEGMENTER -> Task.SEGMENTATION;
            case BACKBONE, ENCODER -> Task.FEATURES;
            case DETECTOR -> Task.DETECTION;
        };
    }

    /** Loads a checkpoint or preset with {@link Options#defaults()}. */
    public static VisionModel load(String model) {
        return load(model, Options.defaults());
    }

    /** Loads a checkpoint directory, a {@code .safetensors} file next to its config, or a preset name. */
    public static VisionModel load(String model, Options options) {
        ModelSource source = ModelSource.open(model);
        try {
            return new VisionModel(source, options);
        } catch (RuntimeException | Error e) {
            source.close();
            throw e;
        }
    }

    public static VisionModel load(Path model, Options options) {
        return load(model.toString(), options);
    }

    /** What this model answers. */
    public Task task() {
        return task;
    }

    /** One line: family and geometry. */
    public String describe() {
        return source.describe();
    }

    /** Class names from the config, by index; empty when the config has none. */
    public Map<Integer, String> labels() {
        return source.labels();
    }

    /**
     * The dataset's id of class {@code classId}: a detector config's {@code category_ids} entry (COCO's ids, 1..90 with
     * gaps, for a converted COCO model), else the class index itself.
     */
    public int categoryId(int classId) {
        int[] ids = source.categoryIds();
        return ids != null && classId >= 0 && classId < ids.length ? ids[classId] : classId;
    }

    /** Whether {@link #detectImages} can give instance masks: a Mask R-CNN detector does, DETR does not. */
    public boolean hasMasks() {
        return source.detector() != null;
    }

    /** Classes of a classifier or segmenter; 0 for a feature extractor. */
    public int classes() {
        return source.classes();
    }

    /** The backend and device it runs on, as its driver describes it. */
    public String device() {
        return execution.backend().cliName() + ", device " + execution.device() + ": " + PlanRunner.describeDevice(execution);
    }

    /** The size the model was configured for ({@code {height, width}}): the default input, and the sliding window. */
    public int[] configuredSize() {
        return new int[] {source.imgH(), source.imgW()};
    }

    /** The input size images are brought to ({@code {height, width}}). */
    public int[] inputSize() {
        Preprocessing p = preprocessing();
        return new int[] {p.height(), p.width()};
    }

    /**
     * Checks that the model fits in memory at its batch and input size and compiles it now, rather than at the first
     * image: a batch or size that does not fit fails before any work, with what would fit. Optional.
     */
    public synchronized void prepare() {
        if (source.detr() != null) {
            // DETR compiles each batch at its own padded size: only check that its configured size fits.
            source.checkFits(1, source.imgH(), source.imgW(), execution);
            return;
        }
        if (task == Task.DETECTION) {
            plan(1, source.imgH(), source.imgW());
            return;
        }
        Preprocessing pre = preprocessing();
        plan(task == Task.CLASSIFICATION ? options.batch() : 1, pre.height(), pre.width());
    }

    /**
     * The outputs {@link #features} returns, by name, with their shapes ({@code [channels, height, width]}, or
     * {@code [width]} for an embedding), known before any image runs.
     */
    public synchronized Map<String, int[]> outputShapes() {
        require(Task.FEATURES, "outputShapes");
        prepare();
        if (plan instanceof FeatureMaps maps) {
            return new LinkedHashMap<>(maps.shapes());
        }
        return Map.of("pre_logits", new int[] {source.vit().embedDim()});
    }

    /** The top {@code top} classes of each image file, in order. */
    public List<Classification> classify(List<Path> images, int top) {
        List<RgbImage> decoded = new ArrayList<>();
        for (Path p : images) {
            decoded.add(RgbImage.read(p));
        }
        return classifyImages(decoded, top);
    }

    /** The top 5 classes of one image file. */
    public Classification classify(Path image) {
        return classify(List.of(image), 5).get(0);
    }

    /**
     * The top {@code top} classes of each decoded image, in order. Images run {@link Options#batch} at a time; the
     * model is compiled for {@code min(batch, images.size())} images on first use, and a shorter last batch is padded.
     */
    public synchronized List<Classification> classifyImages(List<RgbImage> images, int top) {
        require(Task.CLASSIFICATION, "classify");
        if (top < 1) {
            throw new ModelException("top must be >= 1, got " + top);
        }
        if (images.isEmpty()) {
            return List.of();
        }
        Preprocessing pre = preprocessing();
        int classes = source.classes();
        int k = Math.min(top, classes);
        VitPlan vit = (VitPlan) plan(Math.min(options.batch(), images.size()), pre.height(), pre.width());
        int batch = vit.batch();
        int perImage = 3 * pre.height() * pre.width();
        List<Classification> out = new ArrayList<>();
        for (int start = 0; start < images.size(); start += batch) {
            int n = Math.min(batch, images.size() - start);
            float[] pixels = new float[batch * perImage];
            for (int i = 0; i < n; i++) {
                System.arraycopy(pre.apply(images.get(start + i).planar()), 0, pixels, i * perImage, perImage);
            }
            vit.run(pixels);
            float[] probs = vit.output(VitOutput.PROBABILITIES);
            for (int i = 0; i < n; i++) {
                int offset = i * classes;
                List<Prediction> best = IntStream.range(0, classes).boxed()
                        .sorted(Comparator.comparingDouble((Integer c) -> -probs[offset + c]).thenComparingInt(c -> c)).limit(k)
                        .map(c -> new Prediction(c, source.label(c), probs[offset + c])).toList();
                out.add(new Classification(images.get(start + i).source(), best));
            }
        }
        return out;
    }

    /** The class of every pixel of an image file: the whole image resized to the input size, scores resized back. */
    public ClassMap segment(Path image) {
        return segment(RgbImage.read(image));
    }

    /**
     * The class of every pixel (mmsegmentation's {@code whole} mode): the image resized (bilinear) to the input size,
     * normalised, segmented, and its class scores resized back to the image's size before the argmax.
     */
    public synchronized ClassMap segment(RgbImage image) {
        require(Task.SEGMENTATION, "segment");
        Preprocessing pre = preprocessing();
        ModelPlan p = plan(1, pre.height(), pre.width());
        p.run(pre.apply(image.planar()));
        int[] classes = SegmentationInference.resizedArgmax(((SegmentationPlan) p).logits(), source.classes(), pre.height(), pre.width(),
                image.height(), image.width());
        return new ClassMap(image.source(), image.height(), image.width(), classes, source.labels());
    }

    /**
     * The class of every pixel by mmsegmentation's {@code slide} mode: the image at its own size, segmented in
     * {@code window} crops every {@code stride} pixels, overlapping scores averaged.
     */
    public ClassMap segmentSliding(RgbImage image, int windowH, int windowW, int strideH, int strideW) {
        return segmentSliding(image, windowH, windowW, strideH, strideW, (done, total) -> { });
    }

    /** {@link #segmentSliding}, telling {@code progress} after each window ({@code done} of {@code total}). */
    public synchronized ClassMap segmentSliding(RgbImage image, int windowH, int windowW, int strideH, int strideW,
            java.util.function.BiConsumer<Integer, Integer> progress) {
        require(Task.SEGMENTATION, "segment");
        if (windowH < 1 || windowW < 1 || strideH < 1 || strideW < 1) {
            throw new ModelException("window and stride must be positive");
        }
        source.checkFits(1, windowH, windowW, execution);
        // Slide mode sums every class's scores over the whole image, on the heap: check that it fits first.
        long sums = 4L * source.classes() * image.height() * image.width();
        Runtime rt = Runtime.getRuntime();
        long freeHeap = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (sums > freeHeap) {
            throw new ModelException(String.format("%s: sliding windows over %dx%d pixels with %d classes need %s of score sums and %s of heap are free: "
                    + "use the whole mode, a smaller image, or give the JVM more (VITORNADO_JAVA_OPTS=-Xmx...)", image.source(), image.width(),
                    image.height(), source.classes(), MemoryBudget.gigabytes(sums), MemoryBudget.gigabytes(freeHeap)));
        }
        if (sliding == null) {
            sliding = new SegmentationInference(source.segmenter(), source.tensors(), execution);
        }
        Preprocessing pre = preprocessing().withSize(image.height(), image.width());
        float[] scores = sliding.slide(pre.apply(image.planar()), image.height(), image.width(), windowH, windowW, strideH, strideW, progress);
        return classMap(image, scores);
    }

    /** The feature maps (backbones) or embedding (a ViT without a head) of an image file. */
    public Map<String, FeatureTensor> features(Path image) {
        return features(RgbImage.read(image));
    }

    /** The feature maps (backbones) or embedding (a ViT without a head) of a decoded image, by upstream name. */
    public synchronized Map<String, FeatureTensor> features(RgbImage image) {
        require(Task.FEATURES, "features");
        Preprocessing pre = preprocessing();
        ModelPlan p = plan(1, pre.height(), pre.width());
        p.run(pre.apply(image.planar()));
        Map<String, FeatureTensor> out = new LinkedHashMap<>();
        if (p instanceof FeatureMaps maps) {
            Map<String, int[]> shapes = maps.shapes();
            maps.outputs().forEach((name, values) -> out.put(name, new FeatureTensor(name, shapes.get(name), values)));
        } else {
            float[] v = ((VitPlan) p).output(VitOutput.PRE_LOGITS);
            out.put("pre_logits", new FeatureTensor("pre_logits", new int[] {v.length}, v));
        }
        return out;
    }

    /** The objects in an image file, with masks, scoring at least {@code minScore}. */
    public Detections detect(Path image, float minScore) {
        return detectImages(List.of(RgbImage.read(image)), minScore, true).get(0);
    }

    /**
     * The objects in each decoded image, as detectron2's {@code DefaultPredictor} finds them: the image resized
     * ({@code ResizeShortestEdge}) and padded to the detector's square input, boxes and masks mapped back to the image's
     * own size. Objects scoring below {@code minScore} are left out (detectron2's demo threshold; 0.05, the model's
     * own, keeps everything). {@code masks = false} skips pasting the instance masks. Images run {@link Options#batch}
     * at a time.
     */
    public synchronized List<Detections> detectImages(List<RgbImage> images, float minScore, boolean masks) {
        require(Task.DETECTION, "detect");
        if (!(minScore >= 0 && minScore <= 1)) {
            throw new ModelException("the score threshold must be in [0, 1], got " + minScore);
        }
        if (images.isEmpty()) {
            return List.of();
        }
        if (source.detr() != null) {
            return detectWithDetr(images, minScore);
        }
        MaskRcnnConfig c = source.detector();
        int side = c.inputSize();
        MaskRcnnModel.Plan p = (MaskRcnnModel.Plan) plan(Math.min(options.batch(), images.size()), side, side);
        int batch = p.batch();
        int perImage = 3 * side * side;
        List<Detections> out = new ArrayList<>();
        for (int start = 0; start < images.size(); start += batch) {
            int n = Math.min(batch, images.size() - start);
            float[] pixels = new float[batch * perImage];
            int[][] sizes = new int[batch][];
            for (int i = 0; i < batch; i++) {
                if (i < n) {
                    Planar resized = DetectionInput.resized(images.get(start + i).planar(), c.input());
                    sizes[i] = new int[] {resized.height(), resized.width()};
                    System.arraycopy(DetectionInput.normalizeAndPad(resized.data(), resized.height(), resized.width(), side, c.input()), 0, pixels,
                            i * perImage, perImage);
                } else {
                    sizes[i] = new int[] {side, side};
                }
            }
            p.setImageSizes(sizes);
            p.run(pixels);
            List<ImageDetections> results = p.results();
            for (int i = 0; i < n; i++) {
                RgbImage image = images.get(start + i);
                List<DetectedObject> objects = new ArrayList<>();
                for (ImageDetections.Instance inst : results.get(i).postprocess(image.height(), image.width(), masks)) {
                    Detection d = inst.detection();
                    if (d.score() >= minScore) {
                        objects.add(new DetectedObject(d.classId(), source.label(d.classId()), d.score(), d.x0(), d.y0(), d.x1(), d.y1(),
                                inst.mask() == null ? null : new InstanceMask(inst.mask())));
                    }
                }
                out.add(new Detections(image.source(), image.height(), image.width(), objects));
            }
        }
        return out;
    }

    /**
     * DETR, as its {@code PostProcess} and the upstream demo see it: each image resized by DETR's rule, the batch padded
     * to its largest image with the padding masked, every query a detection (score, label, box in the original image's
     * pixels); those scoring below {@code minScore} are left out, the rest sorted by score. Each padded batch size is
     * compiled once and kept while the next batch has the same size.
     */
    private List<Detections> detectWithDetr(List<RgbImage> images, float minScore) {
        DetrConfig c = source.detr();
        List<Detections> out = new ArrayList<>();
        for (int start = 0; start < images.size(); start += options.batch()) {
            int n = Math.min(options.batch(), images.size() - start);
            List<Planar> inputs = new ArrayList<>();
            int height = 1;
            int width = 1;
            for (int i = 0; i < n; i++) {
                Planar p = DetrInput.normalized(images.get(start + i).planar());
                inputs.add(p);
                height = Math.max(height, p.height());
                width = Math.max(width, p.width());
            }
            DetrPlan p = (DetrPlan) plan(n, height, width);
            int batch = p.batch();
            int[][] sizes = new int[batch][];
            int[][] original = new int[batch][];
            for (int i = 0; i < batch; i++) {
                // A plan's spare slots (a larger batch compiled before) hold a blank unpadded image.
                sizes[i] = i < n ? new int[] {inputs.get(i).height(), inputs.get(i).width()} : new int[] {height, width};
                original[i] = i < n ? new int[] {images.get(start + i).height(), images.get(start + i).width()} : new int[] {height, width};
            }
            p.run(DetrInput.padded(inputs, batch, height, width), DetrMasks.pixelMask(sizes, height, width));
            DetrPostProcess post = p.postProcess(original);
            for (int i = 0; i < n; i++) {
                RgbImage image = images.get(start + i);
                List<DetectedObject> objects = new ArrayList<>();
                for (int q = 0; q < c.queries(); q++) {
                    int k = i * c.queries() + q;
                    if (post.scores()[k] >= minScore) {
                        int label = post.labels()[k];
                        objects.add(new DetectedObject(label, source.label(label), post.scores()[k], post.boxes()[4 * k], post.boxes()[4 * k + 1],
                                post.boxes()[4 * k + 2], post.boxes()[4 * k + 3], null));
                    }
                }
                objects.sort((a, b) -> Float.compare(b.score(), a.score()));
                out.add(new Detections(image.source(), image.height(), image.width(), objects));
            }
        }
        return out;
    }

    /** Releases the device buffers and the checkpoint. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (plan != null) {
                plan.close();
            }
            if (sliding != null) {
                sliding.close();
            }
        } finally {
            source.close();
        }
    }

    /** The model's preprocessing, at {@link Options}' size when one is set. */
    private Preprocessing preprocessing() {
        Preprocessing p = source.preprocessing();
        return options.height() > 0 ? p.withSize(options.height(), options.width()) : p;
    }

    /** The compiled plan for {@code batch x height x width}: the current one when it is large enough, else a new one. */
    private ModelPlan plan(int batch, int height, int width) {
        if (closed) {
            throw new ModelException("this model is closed");
        }
        if (plan != null && plan.batch() >= batch && plan.height() == height && plan.width() == width) {
            return plan;
        }
        source.checkFits(batch, height, width, execution);
        if (plan != null) {
            plan.close();
            plan = null;
        }
        plan = source.compile(batch, height, width, execution);
        return plan;
    }

    private void require(Task wanted, String call) {
        if (task != wanted) {
            throw new ModelException(call + " needs a " + switch (wanted) {
                case CLASSIFICATION -> "classifier";
                case SEGMENTATION -> "segmenter";
                case FEATURES -> "backbone or encoder";
                case DETECTION -> "detector";
            } + ", and " + source.name() + " is a " + switch (task) {
                case CLASSIFICATION -> "classifier (use classify)";
                case SEGMENTATION -> "segmenter (use segment)";
                case FEATURES -> "feature extractor (use features)";
                case DETECTION -> "detector (use detect)";
            });
        }
    }

    private ClassMap classMap(RgbImage image, float[] scores) {
        int[] classes = SegmentationInference.argmax(scores, source.classes(), image.height() * image.width());
        return new ClassMap(image.source(), image.height(), image.width(), classes, source.labels());
    }
}
