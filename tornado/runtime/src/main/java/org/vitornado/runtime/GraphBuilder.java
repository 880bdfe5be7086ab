package org.vitornado.runtime;

import java.util.ArrayList;
import java.util.List;

import org.vitornado.kernels.ActivationKernels;
import org.vitornado.kernels.AttentionKernels;
import org.vitornado.kernels.ConvKernels;
import org.vitornado.kernels.ElementwiseKernels;
import org.vitornado.kernels.LayerNormKernels;
import org.vitornado.kernels.LinearKernels;
import org.vitornado.kernels.MaskKernels;
import org.vitornado.kernels.PatchEmbedKernels;
import org.vitornado.kernels.PoolingKernels;
import org.vitornado.kernels.ResampleKernels;
import org.vitornado.kernels.SoftmaxKernels;
import org.vitornado.kernels.WindowAttentionKernels;
import org.vitornado.runtime.jvm.JvmAttentionKernels;
import org.vitornado.runtime.jvm.JvmConvKernels;
import org.vitornado.runtime.jvm.JvmGelu;
import org.vitornado.runtime.jvm.JvmLinearKernels;
import org.vitornado.runtime.jvm.JvmPatchEmbedKernels;
import org.vitornado.runtime.jvm.JvmResampleKernels;
import org.vitornado.runtime.jvm.JvmWindowAttentionKernels;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Builds one TornadoVM {@link TaskGraph} out of the project's kernels, the way TornadoVM's examples do
 * ({@code new TaskGraph(..).transferToDevice(..).task(..).transferToHost(..)}), and at the same time records,
 * for every task, its kernel, grid and cost ({@link PlannedTask}), so that {@code plan} can show how a model
 * maps onto GPU kernels.
 *
 * <p>Every task method adds one kernel task and registers its grid in the shared {@link GridScheduler} under
 * {@code graphName.taskName}. All KernelContext kernels of a graph share one {@link KernelContext}, as in
 * TornadoVM's own examples.
 *
 * <p>On the JVM backend the hot kernels (linear layers, attention) are replaced by CPU versions of the same maths
 * ({@code runtime.jvm}: blocked, Vector API), so that JVM-only timings are a fair baseline; TornadoVM always gets
 * the portable kernels. {@code -Dvitornado.jvm.portable=true} keeps the portable kernels on the JVM too.
 */
public final class GraphBuilder {

    /** Whether this process runs the JVM backend with the Vector API available (and not switched off). */
    static final boolean CPU_KERNELS = Backend.detect() == Backend.JVM && !Boolean.getBoolean("vitornado.jvm.portable")
            && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final TaskGraph graph;
    private final String name;
    private final GridScheduler grids;
    private final KernelContext context = new KernelContext();
    private final List<PlannedTask> tasks = new ArrayList<>();
    private final boolean cpuKernels;

    public GraphBuilder(String name, GridScheduler grids) {
        this(name, grids, CPU_KERNELS);
    }

    /**
     * A builder that uses the JVM's CPU kernels or not, whatever the process default: for benchmarks and tests that
     * compare the two on the JVM. {@code cpuKernels} requires the JVM backend with the Vector API module.
     */
    public GraphBuilder(String name, GridScheduler grids, boolean cpuKernels) {
        if (cpuKernels && (Backend.detect() != Backend.JVM || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty())) {
            throw new IllegalStateException("the CPU kernels need the JVM backend and --add-modules=jdk.incubator.vector");
        }
        this.name = name;
        this.graph = new TaskGraph(name);
        this.grids = grids;
        this.cpuKernels = cpuKernels;
    }

    /**
     * The builder for a plan that will run with {@code options}: CPU kernels when it runs on the JVM backend (and the
     * process allows them); the portable kernels for a plan built for inspection only ({@code options == null}), so
     * that {@code plan} shows what a GPU gets.
     */
    public static GraphBuilder forPlan(String name, GridScheduler grids, ExecutionOptions options) {
        return new GraphBuilder(name, grids, options != null && options.backend() == Backend.JVM && CPU_KERNELS);
    }

    /** Whether this builder uses the JVM's CPU kernels for linear layers, attention and the patch embedding. */
    public boolean cpuKernels() {
        return cpuKernels;
    }

    /** Arrays copied to the device once, on the first execution (weights). */
    public GraphBuilder weights(Object... arrays) {
        graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, arrays);
        return this;
    }

    /** Arrays copied to the device before every execution (the input). */
    public GraphBuilder inputs(Object... arrays) {
        graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, arrays);
        return this;
    }

    /** Arrays copied back to the host after every execution (the results). */
    public GraphBuilder outputs(Object... arrays) {
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, arrays);
        return this;
    }

    public ImmutableTaskGraph snapshot() {
        return graph.snapshot();
    }

    public String name() {
        return name;
    }

    public List<PlannedTask> tasks() {
        return List.copyOf(tasks);
    }

    // ---------------------------------------------------------------- kernels

    /** Patch embedding (conv kernel = stride = patch) + bias + grid position embedding + class token (with its position). */
    public GraphBuilder patchEmbed(String task, FloatArray image, FloatArray weight, FloatArray bias, FloatArray clsToken,
            FloatArray pos, FloatArray tokens, int batch, int inChans, int height, int width, int patch, int embed,
            int gridH, int gridW, int prefix) {
        int tokensPerImage = prefix + gridH * gridW;
        if (cpuKernels) {
            graph.task(task, JvmPatchEmbedKernels::patchEmbed, context, image, weight, bias, clsToken, pos, tokens,
                    batch, inChans, height, width, patch, embed, gridH, gridW, prefix);
            long patches = (long) batch * gridH * gridW;
            long k = (long) inChans * patch * patch;
            return record(task, "JvmPatchEmbedKernels.patchEmbed", JvmPatchEmbedKernels.grid(batch, tokensPerImage, embed),
                    TaskCost.of(2 * patches * k * embed, patches * k + embed * k, (long) batch * tokensPerImage * embed));
        }
        graph.task(task, PatchEmbedKernels::patchEmbed, context, image, weight, bias, clsToken, pos, tokens,
                batch, inChans, height, width, patch, embed, gridH, gridW, prefix);
        long patches = (long) batch * gridH * gridW;
        long k = (long) inChans * patch * patch;
        return record(task, "PatchEmbedKernels.patchEmbed", PatchEmbedKernels.patchEmbedGrid(batch, tokensPerImage, embed),
                TaskCost.of(2 * patches * k * embed,
                        (long) batch * inChans * height * width + k * embed + (long) gridH * gridW * embed + embed,
                        (long) batch * tokensPerImage * embed));
    }

    /** LayerNorm over the last dimension of {@code [rows, cols]}. */
    public GraphBuilder layerNorm(String task, FloatArray x, FloatArray gamma, FloatArray beta, FloatArray y,
            int rows, int cols, float eps) {
        graph.task(task, LayerNormKernels::layerNorm, context, x, gamma, beta, y, rows, cols, eps);
        long n = (long) rows * cols;
        return record(task, "LayerNormKernels.layerNorm", LayerNormKernels.grid(rows),
                TaskCost.of(8 * n, n + 2L * cols, n));
    }

    /** {@code y = x W^T + b}. */
    public GraphBuilder linear(String task, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        if (cpuKernels) {
            return jvmLinear(task, x, w, b, y, rows, in, out, JvmLinearKernels.PLAIN, "JvmLinearKernels.linear");
        }
        graph.task(task, LinearKernels::linear, context, x, w, b, y, rows, in, out);
        return record(task, "LinearKernels.linear", LinearKernels.grid(rows, out), linearCost(rows, in, out, false));
    }

    /** {@code y = gelu(x W^T + b)}: the MLP's first layer with its activation fused. */
    public GraphBuilder linearGelu(String task, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        if (cpuKernels) {
            return jvmLinear(task, x, w, b, y, rows, in, out, JvmLinearKernels.GELU, "JvmLinearKernels.linear+gelu");
        }
        graph.task(task, LinearKernels::linearGelu, context, x, w, b, y, rows, in, out);
        return record(task, "LinearKernels.linearGelu", LinearKernels.grid(rows, out), linearCost(rows, in, out, false));
    }

    /** {@code y += x W^T + b}: a projection fused with the residual add into the token stream {@code y}. */
    public GraphBuilder linearResidual(String task, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        if (cpuKernels) {
            return jvmLinear(task, x, w, b, y, rows, in, out, JvmLinearKernels.RESIDUAL, "JvmLinearKernels.linear+residual");
        }
        graph.task(task, LinearKernels::linearResidual, context, x, w, b, y, rows, in, out);
        return record(task, "LinearKernels.linearResidual", LinearKernels.grid(rows, out), linearCost(rows, in, out, true));
    }

    private GraphBuilder jvmLinear(String task, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out,
            int epilogue, String kernel) {
        graph.task(task, JvmLinearKernels::linear, context, x, w, b, y, rows, in, out, epilogue);
        return record(task, kernel, JvmLinearKernels.grid(rows, out), linearCost(rows, in, out, epilogue == JvmLinearKernels.RESIDUAL));
    }

    private static TaskCost linearCost(long rows, long in, long out, boolean readsOutput) {
        return TaskCost.of(2 * rows * in * out, rows * in + in * out + out + (readsOutput ? rows * out : 0), rows * out);
    }

    /** Multi-head self-attention over packed qkv, online softmax (no tokens x tokens matrix). */
    public GraphBuilder attention(String task, FloatArray qkv, FloatArray out, int batch, int tokens, int heads, int headDim, float scale) {
        long pairs = (long) batch * heads * tokens * tokens;
        long channels = (long) heads * headDim;
        if (cpuKernels) {
            int c = heads * headDim;
            graph.task(task, JvmAttentionKernels::attention, context, qkv, qkv, out, batch, tokens, tokens, heads, headDim, 3 * c, 0, 3 * c, c,
                    2 * c, scale);
            return record(task, "JvmAttentionKernels.attention", JvmAttentionKernels.grid(batch, tokens, tokens, heads),
                    TaskCost.of(pairs * (4L * headDim + 5), (long) batch * tokens * 3 * channels, (long) batch * tokens * channels));
        }
        graph.task(task, AttentionKernels::attention, context, qkv, out, batch, tokens, heads, headDim, scale);
        return record(task, "AttentionKernels.attention", AttentionKernels.grid(batch, tokens, heads),
                // q.k and p.v are 2 FLOPs per channel each; exp, max and rescale about 5 per pair.
                TaskCost.of(pairs * (4L * headDim + 5), (long) batch * tokens * 3 * channels, (long) batch * tokens * channels));
    }

    /** Attention within windows of a token map, padded keys from the qkv bias, decomposed rel-pos (relPos 0 = off). */
    public GraphBuilder windowAttention(String task, FloatArray qkv, FloatArray qkvBias, FloatArray relPosH, FloatArray relPosW,
            FloatArray out, int batch, int height, int width, int heads, int headDim, int windowH, int windowW, int relPos, float scale) {
        if (cpuKernels) {
            graph.task(task, JvmWindowAttentionKernels::windowAttention, context, qkv, qkvBias, relPosH, relPosW, out, batch, height, width,
                    heads, headDim, windowH, windowW, relPos, scale);
            long padded = (long) windowH * windowW;
            long pairs = (long) batch * height * width * heads * padded;
            return record(task, "JvmWindowAttentionKernels.windowAttention",
                    JvmWindowAttentionKernels.grid(batch, height, width, heads, windowH, windowW),
                    TaskCost.of(pairs * (4L * headDim + 5), (long) batch * height * width * 3 * heads * headDim,
                            (long) batch * height * width * heads * headDim));
        }
        graph.task(task, WindowAttentionKernels::windowAttention, context, qkv, qkvBias, relPosH, relPosW, out,
                batch, height, width, heads, headDim, windowH, windowW, relPos, scale);
        long pairs = (long) batch * height * width * heads * windowH * windowW;
        long channels = (long) heads * headDim;
        long tokens = (long) batch * height * width;
        return record(task, "WindowAttentionKernels.windowAttention", WindowAttentionKernels.grid(batch, height, width, heads),
                TaskCost.of(pairs * ((relPos != 0 ? 6L : 4L) * headDim + 5), tokens * 3 * channels, tokens * channels));
    }

    /** Channels-last 2-D convolution. */
    public GraphBuilder conv2d(String task, FloatArray in, FloatArray w, FloatArray b, FloatArray out, int batch, int height,
            int width, int inChannels, int outChannels, int kernelSize, int stride, int pad, int groups, int outH, int outW) {
        if (cpuKernels && JvmConvKernels.supports(inChannels, outChannels, groups)) {
            if (groups == 1) {
                graph.task(task, JvmConvKernels::conv2d, context, in, w, b, out, batch, height, width, inChannels, outChannels,
                        kernelSize, stride, pad, groups, outH, outW);
            } else {
                graph.task(task, JvmConvKernels::depthwise, context, in, w, b, out, batch, height, width, inChannels, outChannels,
                        kernelSize, stride, pad, groups, outH, outW);
            }
            long outputs = (long) batch * outH * outW * outChannels;
            long taps = (long) inChannels / groups * kernelSize * kernelSize;
            return record(task, groups == 1 ? "JvmConvKernels.conv2d" : "JvmConvKernels.depthwise",
                    JvmConvKernels.grid(batch, outH, outW, outChannels, groups),
                    TaskCost.of(2 * outputs * taps, (long) batch * height * width * inChannels + outChannels * taps, outputs));
        }
        graph.task(task, ConvKernels::conv2d, context, in, w, b, out, batch, height, width, inChannels, outChannels,
                kernelSize, stride, pad, groups, outH, outW);
        long outputs = (long) batch * outH * outW * outChannels;
        long taps = (long) inChannels / groups * kernelSize * kernelSize;
        return record(task, "ConvKernels.conv2d", ConvKernels.grid(batch, outH, outW, outChannels),
                TaskCost.of(2 * outputs * taps, (long) batch * height * width * inChannels + outChannels * taps, outputs));
    }

    /** Channels-last transposed convolution, kernel 2, stride 2. */
    public GraphBuilder convTranspose2x2(String task, FloatArray in, FloatArray w, FloatArray b, FloatArray out, int batch,
            int height, int width, int inChannels, int outChannels) {
        long outputs = 4L * batch * height * width * outChannels;
        if (cpuKernels) {
            graph.task(task, JvmConvKernels::convTranspose2x2, context, in, w, b, out, batch, height, width, inChannels, outChannels);
            return record(task, "JvmConvKernels.convTranspose2x2", JvmConvKernels.transposeGrid(batch, height, width, outChannels),
                    TaskCost.of(2 * outputs * inChannels, (long) batch * height * width * inChannels + 4L * inChannels * outChannels, outputs));
        }
        graph.task(task, ConvKernels::convTranspose2x2, context, in, w, b, out, batch, height, width, inChannels, outChannels);
        return record(task, "ConvKernels.convTranspose2x2", ConvKernels.grid(batch, 2 * height, 2 * width, outChannels),
                TaskCost.of(2 * outputs * inChannels, (long) batch * height * width * inChannels + 4L * inChannels * outChannels, outputs));
    }

    /** Channels-last max pooling, square window, no padding. */
    public GraphBuilder maxPool2d(String task, FloatArray in, FloatArray out, int batch, int height, int width, int channels,
            int kernelSize, int stride, int outH, int outW) {
        graph.task(task, ConvKernels::maxPool2d, context, in, out, batch, height, width, channels, kernelSize, stride, outH, outW);
        long outputs = (long) batch * outH * outW * channels;
        return record(task, "ConvKernels.maxPool2d", ConvKernels.grid(batch, outH, outW, channels),
                TaskCost.of(outputs * kernelSize * kernelSize, (long) batch * height * width * channels, outputs));
    }

    /** {@code x = gelu(x)} over {@code n} values: a {@code @Parallel}-loop kernel, so no grid is registered. */
    public GraphBuilder gelu(String task, FloatArray x, int n) {
        if (cpuKernels) {
            graph.task(task, JvmGelu::geluInPlace, context, x, n);
            return record(task, "JvmGelu.geluInPlace", JvmGelu.grid(n), TaskCost.of(20L * n, n, n));
        }
        graph.task(task, ActivationKernels::geluInPlace, x, n);
        tasks.add(new PlannedTask(name, task, "ActivationKernels.geluInPlace", new long[] {n}, null, TaskCost.of(20L * n, n, n)));
        return this;
    }

    /** {@code x += y} over {@code n} values: a residual branch added back. */
    public GraphBuilder add(String task, FloatArray x, FloatArray y, int n) {
        graph.task(task, ElementwiseKernels::addInPlace, x, y, n);
        tasks.add(new PlannedTask(name, task, "ElementwiseKernels.addInPlace", new long[] {n}, null, TaskCost.of(n, 2L * n, n)));
        return this;
    }

    /**
     * Attention with queries and keys/values in separate arrays (cross-attention, spatial reduction, shared q=k=v):
     * see {@code AttentionKernels.attentionSeparate} for the strides and offsets.
     */
    public GraphBuilder attentionSeparate(String task, FloatArray q, FloatArray kv, FloatArray out, int batch, int queries, int keys,
            int heads, int headDim, int qStride, int qOffset, int kvStride, int kOffset, int vOffset, float scale) {
        long pairs = (long) batch * heads * queries * keys;
        long channels = (long) heads * headDim;
        TaskCost cost = TaskCost.of(4 * pairs * headDim, (long) batch * (queries + 2L * keys) * channels, (long) batch * queries * channels);
        if (cpuKernels) {
            graph.task(task, JvmAttentionKernels::attention, context, q, kv, out, batch, queries, keys, heads, headDim, qStride, qOffset,
                    kvStride, kOffset, vOffset, scale);
            return record(task, "JvmAttentionKernels.attention", JvmAttentionKernels.grid(batch, queries, keys, heads), cost);
        }
        graph.task(task, AttentionKernels::attentionSeparate, context, q, kv, out, batch, queries, keys, heads, headDim, qStride, qOffset,
                kvStride, kOffset, vOffset, scale);
        return record(task, "AttentionKernels.attentionSeparate", AttentionKernels.separateGrid(batch, queries, heads), cost);
    }

    /** PyTorch bilinear resize of channels-last maps (align_corners 0/1), cropped and placed: see {@code ResampleKernels.bilinear}. */
    public GraphBuilder bilinear(String task, FloatArray in, FloatArray out, int batch, int inH, int inW, int fullH, int fullW, int outH,
            int outW, int channels, boolean alignCorners, int outStride, int outOffset) {
        if (cpuKernels) {
            graph.task(task, JvmResampleKernels::bilinear, context, in, out, batch, inH, inW, fullH, fullW, outH, outW, channels,
                    alignCorners ? 1 : 0, outStride, outOffset);
            long n = (long) batch * outH * outW * channels;
            return record(task, "JvmResampleKernels.bilinear", JvmResampleKernels.grid(batch, outH, outW), TaskCost.of(8 * n, 4 * n, n));
        }
        graph.task(task, ResampleKernels::bilinear, context, in, out, batch, inH, inW, fullH, fullW, outH, outW, channels,
                alignCorners ? 1 : 0, outStride, outOffset);
        long n = (long) batch * outH * outW * channels;
        return record(task, "ResampleKernels.bilinear", ResampleKernels.bilinearGrid(batch, outH, outW, channels),
                TaskCost.of(8 * n, 4 * n, n));
    }

    /** Copies token rows between images' blocks (broadcast, drop, concatenate): see {@code ElementwiseKernels.copyRows}. */
    public GraphBuilder copyRows(String task, FloatArray src, FloatArray dst, int batch, int rows, int channels, int srcImageRows,
            int srcStart, int dstImageRows, int dstStart) {
        graph.task(task, ElementwiseKernels::copyRows, src, dst, batch, rows, channels, srcImageRows, srcStart, dstImageRows, dstStart);
        long n = (long) batch * rows * channels;
        tasks.add(new PlannedTask(name, task, "ElementwiseKernels.copyRows", new long[] {n}, null, TaskCost.of(0, n, n)));
        return this;
    }

    /** {@code x = max(x, 0)} over {@code n} values. */
    public GraphBuilder relu(String task, FloatArray x, int n) {
        graph.task(task, ActivationKernels::reluInPlace, x, n);
        tasks.add(new PlannedTask(name, task, "ActivationKernels.reluInPlace", new long[] {n}, null, TaskCost.of(n, n, n)));
        return this;
    }

    /** Cosine similarity of every patch with every class feature: see {@code MaskKernels.classMasks}. */
    public GraphBuilder classMasks(String task, FloatArray patches, FloatArray classes, FloatArray out, int batch, int tokens, int classCount,
            int dim, int patchImageRows, int patchStart, int classImageRows, int classStart) {
        graph.task(task, MaskKernels::classMasks, context, patches, classes, out, batch, tokens, classCount, dim, patchImageRows,
                patchStart, classImageRows, classStart);
        long n = (long) batch * tokens * classCount;
        return record(task, "MaskKernels.classMasks", MaskKernels.grid(batch, tokens, classCount),
                TaskCost.of(6 * n * dim, (long) batch * (tokens + classCount) * dim, n));
    }

    /** Row-wise softmax. */
    public GraphBuilder softmax(String task, FloatArray x, FloatArray y, int rows, int cols) {
        graph.task(task, SoftmaxKernels::softmax, context, x, y, rows, cols);
        long n = (long) rows * cols;
        return record(task, "SoftmaxKernels.softmax", SoftmaxKernels.grid(rows), TaskCost.of(5 * n, n, n));
    }

    /** The class token row of every image. */
    public GraphBuilder classToken(String task, FloatArray x, FloatArray out, int batch, int tokens, int channels) {
        graph.task(task, PoolingKernels::classToken, context, x, out, batch, tokens, channels);
        long n = (long) batch * channels;
        return record(task, "PoolingKernels.classToken", PoolingKernels.grid(batch, channels), TaskCost.of(0, n, n));
    }

    /** Mean over tokens {@code [start, tokens)} of every image. */
    public GraphBuilder meanTokens(String task, FloatArray x, FloatArray out, int batch, int tokens, int start, int channels) {
        graph.task(task, PoolingKernels::meanTokens, context, x, out, batch, tokens, start, channels);
        long read = (long) batch * (tokens - start) * channels;
        return record(task, "PoolingKernels.meanTokens", PoolingKernels.grid(batch, channels),
                TaskCost.of(read, read, (long) batch * channels));
    }

    /** Resamples a channels-last token grid with timm's antialiased bicubic ({@code resample_abs_pos_embed}). */
    public GraphBuilder resampleBicubicAntialias(String task, FloatArray in, FloatArray out, int inH, int inW, int outH, int outW,
            int channels, int inOffset, int outOffset) {
        graph.task(task, ResampleKernels::bicubicAntialias, context, in, out, inH, inW, outH, outW, channels, inOffset, outOffset);
        return record(task, "ResampleKernels.bicubicAntialias", ResampleKernels.grid(outH, outW, channels),
                resampleCost(inH, inW, outH, outW, channels));
    }

    /** Resamples a channels-last token grid with plain bicubic (a = -0.75, align_corners=False). */
    public GraphBuilder resampleBicubic(String task, FloatArray in, FloatArray out, int inH, int inW, int outH, int outW,
            int channels, int inOffset, int outOffset) {
        graph.task(task, ResampleKernels::bicubic, context, in, out, inH, inW, outH, outW, channels, inOffset, outOffset);
        return record(task, "ResampleKernels.bicubic", ResampleKernels.grid(outH, outW, channels),
                resampleCost(inH, inW, outH, outW, channels));
    }

    private static TaskCost resampleCost(int inH, int inW, int outH, int outW, int channels) {
        long out = (long) outH * outW * channels;
        return TaskCost.of(32 * out, (long) inH * inW * channels, out);
    }

    private GraphBuilder record(String task, String kernel, WorkerGrid grid, TaskCost cost) {
        grids.addWorkerGrid(name + "." + task, grid);
        int dims = grid.dimension();
        long[] local = grid.getLocalWork();
        tasks.add(new PlannedTask(name, task, kernel, java.util.Arrays.copyOf(grid.getGlobalWork(), dims),
                local == null ? null : java.util.Arrays.copyOf(local, dims), cost));
        return this;
    }
}
