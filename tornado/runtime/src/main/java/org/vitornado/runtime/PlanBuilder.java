package org.vitornado.runtime;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.ConvTranspose2x2;
import org.vitornado.runtime.nn.GroupNorm;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.MaxPool2d;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.nn.PatchEmbed;
import org.vitornado.runtime.nn.WindowAttention;
import org.vitornado.runtime.ops.AttentionOps;
import org.vitornado.runtime.ops.ConvOps;
import org.vitornado.runtime.ops.DetectionOps;
import org.vitornado.runtime.ops.ElementwiseOps;
import org.vitornado.runtime.ops.Kernels;
import org.vitornado.runtime.ops.LinearOps;
import org.vitornado.runtime.ops.NormOps;
import org.vitornado.runtime.ops.PatchEmbedOps;
import org.vitornado.runtime.ops.PoolingOps;
import org.vitornado.runtime.ops.PositionOps;
import org.vitornado.runtime.ops.ResampleOps;
import org.vitornado.runtime.plan.Partitioner;
import org.vitornado.runtime.plan.PlannedGraph;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.HeadSlice;
import org.vitornado.runtime.tensor.Image;
import org.vitornado.runtime.tensor.Sizes;
import org.vitornado.runtime.tensor.Tokens;

import org.vitornado.kernels.FlashAttentionKernels;
import org.vitornado.kernels.TiledLinearKernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Records a model's forward pass as kernel tasks, in order, then {@link #compile()}s it into TornadoVM task graphs.
 * A model calls one method per layer with typed handles ({@link Tokens}, {@link FeatureMap}) and parameters
 * ({@code nn.Linear}, {@code nn.Conv2d}, ...), so its code reads like its PyTorch {@code forward}:
 * <pre>
 *   g.section("blocks.0")
 *    .layerNorm("blocks.0.norm1", x, norm1, h)
 *    .linear("blocks.0.attn.qkv", h, qkv, qkvRows)
 *    .attention("blocks.0.attn", qkvRows, heads, attn)
 *    .linearResidual("blocks.0.attn.proj", attn, proj, x)
 * </pre>
 * Each operation's kernel (portable, or the JVM's CPU version), grid and cost are declared once, in {@code ops}.
 * A model also declares its {@link #image input} and its {@link #output outputs}; sections mark where a task graph
 * may end (see {@code plan.Partitioner}). Everything else is the plan's business: which graph each task goes in,
 * which arrays are weights (read, never written), what crosses between graphs.
 */
public final class PlanBuilder {

    /** Whether this process runs the JVM backend with the Vector API available (and not switched off). */
    static final boolean CPU_KERNELS = Backend.detect() == Backend.JVM && !Boolean.getBoolean("vitornado.jvm.portable")
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final String name;
    private final ExecutionOptions options;
    private final Kernels kernels;
    private final List<Step> steps = new ArrayList<>();
    private final List<Partitioner.Section> sections = new ArrayList<>();
    private final Set<Object> inputs = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final List<Object> outputs = new ArrayList<>();
    private final Set<String> taskNames = new HashSet<>();

    /**
     * A plan that will run with {@code options}: the JVM's CPU kernels when it runs on the JVM backend (and the
     * process allows them); the portable kernels for a plan built for inspection only ({@code options == null}), so
     * that {@code plan} shows what a GPU gets.
     */
    public PlanBuilder(String name, ExecutionOptions options) {
        this(name, options, options != null && options.backend() == Backend.JVM && CPU_KERNELS && !Boolean.getBoolean("vitornado.gpuVersions")
                && options.precision() == Precision.FP32);
    }

    /** As above, with or without the JVM's CPU kernels whatever the process default (tests and benchmarks compare them). */
    public PlanBuilder(String name, ExecutionOptions options, boolean cpuKernels) {
        if (cpuKernels && (Backend.detect() != Backend.JVM || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())) {
            throw new IllegalStateException("the CPU kernels need the JVM backend and --add-modules=jdk.incubator.vector");
        }
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("plan name '" + name + "' must be non-empty without '.'");
        }
        this.name = name;
        this.options = options;
        boolean half = options != null && options.precision() == Precision.FP16;
        if (half && cpuKernels) {
            throw new IllegalStateException("fp16 weights run on the portable kernels: the JVM's CPU kernels are float32");
        }
        if (half) {
            requireHalfPrecision(options);
        }
        this.kernels = new Kernels(cpuKernels, !cpuKernels && gpuVersions(options), half, new KernelContext());
    }

    /**
     * Whether a plan run with {@code options} gets the GPU versions (version 2) of the kernels that have them (linear,
     * attention, window attention, convolutions, LayerNorm, softmax): {@code -Dvitornado.gpuVersions=true|false} decides if given (true also turns the JVM's
     * CPU kernels off, so that the JVM backend runs the GPU versions); otherwise a plan built for
     * inspection shows them (what a GPU gets), and TornadoVM gets them on a GPU whose local memory and work-group size
     * fit. Not on a CPU OpenCL device: there local memory is ordinary memory and a barrier splits the kernel into
     * loops over the work-items, so the tiles only add copies. Measured on PoCL (ViT-S, {@code plan --profile}): the
     * tiled linear layers ran at 2-4 GFLOP/s against 8-10 for version 1. Nor on the JVM backend's portable mode, which
     * runs a kernel with barriers as one virtual thread per work-item: correct, and slow.
     */
    static boolean gpuVersions(ExecutionOptions options) {
        String forced = System.getProperty("vitornado.gpuVersions");
        if (forced != null) {
            return Boolean.parseBoolean(forced);
        }
        if (options == null) {
            return true;
        }
        if (options.backend() != Backend.TORNADO) {
            return false;
        }
        TornadoDevice device = options.tornadoDevice();
        if (device.getDeviceType() != TornadoDeviceType.GPU) {
            return false;
        }
        long[] dims = device.getDeviceMaxWorkgroupDimensions();
        long items = dims.length >= 2 ? Math.min(dims[0], TiledLinearKernels.GROUP) * Math.min(dims[1], TiledLinearKernels.GROUP) : 0;
        // The GPU versions go together: the device must hold the largest (flash attention's 32 KB of local memory).
        return TiledLinearKernels.fits(device.getDeviceLocalMemorySize(), items)
                && FlashAttentionKernels.fits(device.getDeviceLocalMemorySize(), dims.length > 0 ? dims[0] : 0, FlashAttentionKernels.MAX_HEAD_DIM);
    }

    /**
     * fp16 weights need a device with half precision: a GPU under TornadoVM, or our JVM API (which computes
     * {@code HalfFloat} in software, for tests). PoCL, a CPU OpenCL device, has none: the kernels would not build.
     */
    static void requireHalfPrecision(ExecutionOptions options) {
        if (options.backend() == Backend.TORNADO && options.tornadoDevice().getDeviceType() != TornadoDeviceType.GPU) {
            throw new IllegalArgumentException("--precision fp16 needs a GPU: TornadoVM device " + options.device() + " ("
                    + options.tornadoDevice().getDeviceName() + ") is a " + options.tornadoDevice().getDeviceType().name().toLowerCase(java.util.Locale.ROOT)
                    + " device without fp16 (PoCL has none); use fp32 there");
        }
    }

    /**
     * Builds the plans made inside {@code body} with the GPU versions ({@code gpu}) or the first ones whatever the
     * device, as {@code -Dvitornado.gpuVersions} does, then restores the setting: {@code plan --versions}, {@code kernels}
     * and the tests that check both versions end to end.
     */
    public static <T> T withGpuVersions(boolean gpu, java.util.function.Supplier<T> body) {
        String before = System.setProperty("vitornado.gpuVersions", Boolean.toString(gpu));
        try {
            return body.get();
        } finally {
            if (before == null) {
                System.clearProperty("vitornado.gpuVersions");
            } else {
                System.setProperty("vitornado.gpuVersions", before);
            }
        }
    }

    /** Whether the kernels that have a GPU version (version 2) get it in this plan. */
    public boolean gpuVersions() {
        return kernels.gpuVersions();
    }

    public String name() {
        return name;
    }

    /** Whether linear layers, attention and convolutions get the JVM's CPU kernels. */
    public boolean cpuKernels() {
        return kernels.cpu();
    }

    // ---------------------------------------------------------------- inputs, outputs, sections

    /** The plan's input images, NCHW, copied to the device before every run. */
    public Image image(int batch, int channels, int height, int width) {
        return new Image(input(new FloatArray(Sizes.elements("input images", batch, channels, height, width))), batch, channels, height, width);
    }

    /** Declares {@code array} an input, copied to the device before every run; returns it. */
    public FloatArray input(FloatArray array) {
        inputs.add(array);
        return array;
    }

    /** Declares arrays the plan copies back to the host after every run. */
    public PlanBuilder output(FloatArray... arrays) {
        for (FloatArray a : arrays) {
            if (!outputs.contains(a)) {
                outputs.add(a);
            }
        }
        return this;
    }

    /** Begins a section (a block, a pyramid level): task graphs end between sections when they can. */
    public PlanBuilder section(String label) {
        sections.add(new Partitioner.Section(label, steps.size(), false));
        return this;
    }

    /**
     * Begins a stage, and a section of the same name: a run of task graphs that {@link CompiledPlan#runStage} runs on
     * its own, so that the host can work between stages (a detector's top-k and NMS between its RPN and its ROI heads)
     * while activations stay on the device. Outputs a stage writes are on the host when the stage returns; inputs a
     * stage first reads are copied in when it runs.
     */
    public PlanBuilder stage(String label) {
        sections.add(new Partitioner.Section(label, steps.size(), true));
        return this;
    }

    private PlanBuilder add(Step step) {
        if (!taskNames.add(step.name())) {
            throw new IllegalArgumentException("plan " + name + ": duplicate task name '" + step.name() + "'");
        }
        if (sections.isEmpty()) {
            sections.add(new Partitioner.Section(step.name(), 0, false));
        }
        steps.add(step);
        return this;
    }

    /** Splits the tasks into task graphs and, unless the plan is for inspection only, compiles them for its backend. */
    public CompiledPlan compile() {
        if (steps.isEmpty()) {
            throw new IllegalStateException("plan " + name + " has no tasks");
        }
        List<PlannedGraph> graphs = Partitioner.partition(name, steps, sections, inputs, outputs);
        // TornadoVM 5.2.0 frees, when a plan closes, every array a graph copies back or persists. An array kept on the
        // device across graphs is persisted by the graph that first uses it; were it also copied back by a later
        // graph, its buffer would be freed twice ("trying to deallocate an invalid buffer"). Such an output is copied
        // into an array of its stage's last graph, which that graph copies back; the host then copies it into place.
        List<Integer> stageStarts = stageStarts();
        List<List<FloatArray[]>> copiesByStage = new ArrayList<>();
        stageStarts.forEach(x -> copiesByStage.add(new ArrayList<>()));
        List<Object> copied = new ArrayList<>();
        for (Object o : outputs) {
            FloatArray out = (FloatArray) o;
            if (graphOfFirstUse(graphs, out) != graphOfLastWrite(graphs, out)) {
                FloatArray last = new FloatArray(out.getSize());
                copiesByStage.get(stageOf(stageStarts, lastWrite(out))).add(new FloatArray[] {last, out});
                copied.add(last);
            } else {
                copied.add(out);
            }
        }
        List<Step> allSteps = steps;
        List<Partitioner.Section> allSections = sections;
        if (copied.stream().anyMatch(o -> !outputs.contains(o))) {
            // The copies go at the end of their stage, in a section of their own.
            allSteps = new ArrayList<>();
            allSections = new ArrayList<>();
            int copy = 0;
            for (int st = 0; st < stageStarts.size(); st++) {
                int from = stageStarts.get(st);
                int to = st + 1 < stageStarts.size() ? stageStarts.get(st + 1) : steps.size();
                int shift = allSteps.size() - from;
                for (Partitioner.Section sec : sections) {
                    if (sec.start() >= from && (sec.start() < to || st == stageStarts.size() - 1 && sec.start() == to)) {
                        allSections.add(new Partitioner.Section(sec.label(), sec.start() + shift, sec.stage()));
                    }
                }
                allSteps.addAll(steps.subList(from, to));
                if (!copiesByStage.get(st).isEmpty()) {
                    allSections.add(new Partitioner.Section("outputs", allSteps.size(), false));
                    for (FloatArray[] c : copiesByStage.get(st)) {
                        int n = c[1].getSize();
                        allSteps.add(ElementwiseOps.copyRows("output." + copy++, new Tokens(c[1], 1, n, 1), 0, new Tokens(c[0], 1, n, 1), 0, n));
                    }
                }
            }
            graphs = Partitioner.partition(name, allSteps, allSections, inputs, copied);
        }
        return CompiledPlan.of(name, graphs, stageLabels(), stageGraphs(graphs, allSections), copiesByStage, options);
    }

    /** The step index where each stage begins (a plan without stages is one stage from step 0). */
    private List<Integer> stageStarts() {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (Partitioner.Section sec : sections) {
            if (sec.stage() && sec.start() > 0 && sec.start() < steps.size() && sec.start() > starts.get(starts.size() - 1)) {
                starts.add(sec.start());
            }
        }
        return starts;
    }

    private List<String> stageLabels() {
        List<String> labels = new ArrayList<>();
        List<Integer> starts = stageStarts();
        for (int start : starts) {
            String label = name;
            for (Partitioner.Section sec : sections) {
                if (sec.stage() && sec.start() == start) {
                    label = sec.label();
                }
            }
            labels.add(label);
        }
        return labels;
    }

    /** For each stage, the index of its first graph (graphs never span stages). */
    private static List<Integer> stageGraphs(List<PlannedGraph> graphs, List<Partitioner.Section> sections) {
        List<Integer> firstGraph = new ArrayList<>();
        firstGraph.add(0);
        int stepIndex = 0;
        List<Integer> graphStarts = new ArrayList<>();
        for (PlannedGraph g : graphs) {
            graphStarts.add(stepIndex);
            stepIndex += g.steps().size();
        }
        int last = 0;
        for (Partitioner.Section sec : sections) {
            if (sec.stage() && sec.start() > last && sec.start() < stepIndex) {
                int gi = graphStarts.indexOf(sec.start());
                if (gi < 0) {
                    throw new IllegalStateException("a stage begins inside a task graph");
                }
                firstGraph.add(gi);
                last = sec.start();
            }
        }
        return firstGraph;
    }

    private static int stageOf(List<Integer> stageStarts, int step) {
        int stage = 0;
        for (int i = 0; i < stageStarts.size(); i++) {
            if (stageStarts.get(i) <= step) {
                stage = i;
            }
        }
        return stage;
    }

    private int lastWrite(Object array) {
        int last = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).writes().contains(array)) {
                last = i;
            }
        }
        return last;
    }

    private static int graphOfFirstUse(List<PlannedGraph> graphs, Object array) {
        for (int i = 0; i < graphs.size(); i++) {
            for (Step s : graphs.get(i).steps()) {
                if (s.reads().contains(array) || s.writes().contains(array)) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static int graphOfLastWrite(List<PlannedGraph> graphs, Object array) {
        int last = -1;
        for (int i = 0; i < graphs.size(); i++) {
            for (Step s : graphs.get(i).steps()) {
                if (s.writes().contains(array)) {
                    last = i;
                }
            }
        }
        return last;
    }

    // ---------------------------------------------------------------- layers

    /** ViT patch embedding with bias, position embedding and class token (see {@link PatchEmbedOps}). */
    public PlanBuilder patchEmbed(String task, Image image, PatchEmbed p, FloatArray clsToken, FloatArray pos, Tokens out) {
        return add(PatchEmbedOps.patchEmbed(task, image, p, clsToken, pos, out, kernels));
    }

    /** The hybrid ViT's tokens: class token, then the projected feature-map rows plus their position embedding. */
    public PlanBuilder embedTokens(String task, Tokens patches, FloatArray clsToken, FloatArray pos, Tokens out) {
        return add(PatchEmbedOps.embedTokens(task, patches, clsToken, pos, out, kernels));
    }

    /** The NCHW input images as a channels-last map (for a model whose first layer is a convolution on the map). */
    public PlanBuilder channelsLast(String task, Image image, FeatureMap out) {
        return add(PatchEmbedOps.channelsLast(task, image, out));
    }

    /** {@code y = LayerNorm(x)}, row by row; {@code y} may be {@code x}. */
    public PlanBuilder layerNorm(String task, Tokens x, LayerNorm p, Tokens y) {
        return add(NormOps.layerNorm(task, x, p, y, kernels));
    }

    /** {@code y = x W^T + b}. */
    public PlanBuilder linear(String task, Tokens x, Linear p, Tokens y) {
        return add(LinearOps.linear(task, x, p, y, LinearOps.Epilogue.NONE, kernels));
    }

    /** {@code y = gelu(x W^T + b)}: an MLP's first layer. */
    public PlanBuilder linearGelu(String task, Tokens x, Linear p, Tokens y) {
        return add(LinearOps.linear(task, x, p, y, LinearOps.Epilogue.GELU, kernels));
    }

    /** {@code y += x W^T + b}: a projection added into the residual stream {@code y}. */
    public PlanBuilder linearResidual(String task, Tokens x, Linear p, Tokens y) {
        return add(LinearOps.linear(task, x, p, y, LinearOps.Epilogue.RESIDUAL, kernels));
    }

    /** Self-attention over timm's packed qkv rows {@code [tokens, 3 C]} into {@code out [tokens, C]}. */
    public PlanBuilder attention(String task, Tokens qkv, int heads, Tokens out) {
        HeadSlice[] s = HeadSlice.packedQkv(qkv);
        return attention(task, s[0], s[1], s[2], heads, out);
    }

    /** Attention of {@code q} over {@code k} and {@code v} (which share one array). */
    public PlanBuilder attention(String task, HeadSlice q, HeadSlice k, HeadSlice v, int heads, Tokens out) {
        return add(AttentionOps.attention(task, q, k, v, heads, out, kernels));
    }

    /** Attention within windows of a map, from its packed qkv (SAM, ViTDet). */
    public PlanBuilder windowAttention(String task, FeatureMap qkv, WindowAttention p, FeatureMap out) {
        return add(AttentionOps.windowAttention(task, qkv, p, out, kernels));
    }

    public PlanBuilder conv2d(String task, FeatureMap in, Conv2d p, FeatureMap out) {
        return add(ConvOps.conv2d(task, in, p, out, false, kernels));
    }

    /** {@code out = relu(conv(in))}: a conv with its (frozen) batch norm folded in, then ReLU. */
    public PlanBuilder conv2dRelu(String task, FeatureMap in, Conv2d p, FeatureMap out) {
        return add(ConvOps.conv2d(task, in, p, out, true, kernels));
    }

    public PlanBuilder convTranspose2x2(String task, FeatureMap in, ConvTranspose2x2 p, FeatureMap out) {
        return add(ConvOps.convTranspose2x2(task, in, p, out, kernels));
    }

    public PlanBuilder maxPool2d(String task, FeatureMap in, MaxPool2d p, FeatureMap out) {
        return add(ConvOps.maxPool2d(task, in, p, out, kernels));
    }

    /**
     * {@code y = GroupNorm(x)}, then ReLU if {@code relu}: two tasks, the groups' statistics ({@code task.stats}) and
     * their application; {@code y} may be {@code x}.
     */
    public PlanBuilder groupNorm(String task, FeatureMap x, GroupNorm p, boolean relu, FeatureMap y) {
        FloatArray stats = new FloatArray(2 * x.batch() * p.groups());
        add(NormOps.groupStats(task + ".stats", x, p, stats, kernels));
        return add(NormOps.groupNorm(task, x, p, stats, null, relu, y, kernels));
    }

    /** {@code y = relu(GroupNorm(x) + shortcut)}: a ResNetV2 bottleneck's last norm, its shortcut and ReLU. */
    public PlanBuilder groupNormAddRelu(String task, FeatureMap x, GroupNorm p, FeatureMap shortcut, FeatureMap y) {
        FloatArray stats = new FloatArray(2 * x.batch() * p.groups());
        add(NormOps.groupStats(task + ".stats", x, p, stats, kernels));
        return add(NormOps.groupNorm(task, x, p, stats, shortcut, true, y, kernels));
    }

    /** Attention of q over k and v (three arrays) with a key padding mask {@code [batch, keys]}, 1 = padding (DETR). */
    public PlanBuilder maskedAttention(String task, HeadSlice q, HeadSlice k, HeadSlice v, FloatArray keyMask, int heads, Tokens out) {
        return add(AttentionOps.maskedAttention(task, q, k, v, keyMask, heads, out, kernels));
    }

    /** DETR's sine position embedding of a padded batch from its feature mask. */
    public PlanBuilder sinePosition(String task, FloatArray mask, FloatArray dimT, FeatureMap pos, float scale) {
        return add(PositionOps.sinePosition(task, mask, dimT, pos, scale, kernels));
    }

    /** {@code out = x + y} over the whole arrays. */
    public PlanBuilder add(String task, FloatArray x, FloatArray y, FloatArray out) {
        return add(ElementwiseOps.add(task, x, y, out));
    }

    /** {@code x = max(x + y, 0)} over the whole arrays. */
    public PlanBuilder addRelu(String task, FloatArray x, FloatArray y) {
        return add(ElementwiseOps.addRelu(task, x, y, kernels));
    }

    /** {@code x = sigmoid(x)} over the whole array. */
    public PlanBuilder sigmoid(String task, FloatArray x) {
        return add(ElementwiseOps.sigmoid(task, x));
    }

    /** {@code x = gelu(x)} over the whole array. */
    public PlanBuilder gelu(String task, FloatArray x) {
        return add(ElementwiseOps.gelu(task, x, kernels));
    }

    /** {@code x = max(x, 0)} over the whole array. */
    public PlanBuilder relu(String task, FloatArray x) {
        return add(ElementwiseOps.relu(task, x, kernels));
    }

    /** {@code x += y} over the whole arrays. */
    public PlanBuilder add(String task, FloatArray x, FloatArray y) {
        return add(ElementwiseOps.add(task, x, y));
    }

    /** Rows {@code [srcStart, srcStart + rows)} of each image of {@code src} to rows from {@code dstStart} of {@code dst}. */
    public PlanBuilder copyRows(String task, Tokens src, int srcStart, Tokens dst, int dstStart, int rows) {
        return add(ElementwiseOps.copyRows(task, src, srcStart, dst, dstStart, rows));
    }

    /** Bilinear resize of {@code in} to {@code out}'s size. */
    public PlanBuilder resize(String task, FeatureMap in, FeatureMap out, boolean alignCorners) {
        return bilinear(task, in, out.height(), out.width(), out, 0, alignCorners);
    }

    /** Bilinear resize to {@code fullH x fullW}, its top-left written into a channel slice of {@code out}. */
    public PlanBuilder bilinear(String task, FeatureMap in, int fullH, int fullW, FeatureMap out, int channelOffset, boolean alignCorners) {
        return add(ResampleOps.bilinear(task, in, fullH, fullW, out, channelOffset, alignCorners, kernels));
    }

    /** Resizes a position-embedding grid. */
    public PlanBuilder resampleGrid(String task, FeatureMap in, FeatureMap out, ResampleOps.Filter filter) {
        return add(ResampleOps.grid(task, in, out, filter, kernels));
    }

    public PlanBuilder classToken(String task, Tokens x, Tokens out) {
        return add(PoolingOps.classToken(task, x, out, kernels));
    }

    public PlanBuilder meanTokens(String task, Tokens x, int start, Tokens out) {
        return add(PoolingOps.meanTokens(task, x, start, out, kernels));
    }

    public PlanBuilder softmax(String task, Tokens x, Tokens y) {
        return add(NormOps.softmax(task, x, y, kernels));
    }

    /** Cosine similarity of patch rows with class rows (Segmenter's masks). */
    public PlanBuilder classMasks(String task, Tokens patches, int patchStart, Tokens classes, int classStart, Tokens out) {
        return add(PoolingOps.classMasks(task, patches, patchStart, classes, classStart, out, kernels));
    }

    /** ROIAlignV2 of the ROIs assigned to {@code level} (see {@link DetectionOps#roiAlign}). */
    public PlanBuilder roiAlign(String task, FeatureMap map, FloatArray rois, int count, int level, float scale, int pooled, FeatureMap out,
            boolean updates) {
        return add(DetectionOps.roiAlign(task, map, rois, count, level, scale, pooled, out, updates, kernels));
    }

    /** The RPN's boxes: every anchor moved by its deltas. */
    public PlanBuilder decodeAnchors(String task, FloatArray deltas, FloatArray anchors, FloatArray boxes, int count, DetectionOps.BoxCoder coder) {
        return add(DetectionOps.decodeAnchors(task, deltas, anchors, boxes, count, coder));
    }

    /** The box head's class-specific boxes, clipped to each ROI's image. */
    public PlanBuilder decodeClipped(String task, FloatArray deltas, FloatArray rois, FloatArray imageSizes, FloatArray boxes, int count, int classes,
            DetectionOps.BoxCoder coder) {
        return add(DetectionOps.decodeClipped(task, deltas, rois, imageSizes, boxes, count, classes, coder));
    }
}
