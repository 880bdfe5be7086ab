package org.vitornado.runtime.ops;

import java.util.List;

import org.vitornado.kernels.ConvKernels;
import org.vitornado.kernels.ImplicitGemmConvKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.jvm.JvmConvKernels;
import org.vitornado.runtime.jvm.JvmMaxPoolKernels;
import org.vitornado.runtime.jvm.JvmPackedWeights;
import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.ConvTranspose2x2;
import org.vitornado.runtime.nn.MaxPool2d;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.FeatureMap;

import uk.ac.manchester.tornado.api.WorkerGrid;

/** Convolutions and pooling on channels-last maps, with PyTorch's weight layouts and zero padding. */
public final class ConvOps {

    private ConvOps() {
    }

    /**
     * {@code nn.Conv2d}.
     * <ul>
     * <li>portable, version 1: {@code ConvKernels.conv2d}, grid 2D x = output channel, y = output pixel;</li>
     * <li>portable, version 2 (GPUs, groups = 1): {@code ImplicitGemmConvKernels.conv2d}, one 16 x 16 work-group per
     * 64 x 64 tile of (output pixel, output channel);</li>
     * <li>JVM (dense, or depthwise): {@code JvmConvKernels.conv2d} as an implicit GEMM on the packed-panel GEMM (x = block
     * of 2 filter panels, y = block of 48 pixels), {@code JvmConvKernels.depthwise} by channel vectors (x = 1).</li>
     * </ul>
     * With {@code relu}, ReLU is applied as each output is stored (a conv whose norm is folded into it, then ReLU:
     * torchvision's ResNet under DETR). Padding is PyTorch's or TensorFlow's "SAME" ({@link Conv2d#tfSame}), given
     * to the kernels as the rows above and columns to the left, with the output size.
     * Cost: {@code 2 outputs (in / groups) kernel^2} FLOPs.
     */
    public static Step conv2d(String name, FeatureMap in, Conv2d p, FeatureMap out, boolean relu, Kernels k) {
        int oh = p.outputSize(in.height());
        int ow = p.outputSize(in.width());
        if (in.channels() != p.in() || out.channels() != p.out() || out.height() != oh || out.width() != ow || out.batch() != in.batch()) {
            throw new IllegalArgumentException("task " + name + ": conv " + p.in() + " -> " + p.out() + " (kernel " + p.kernel() + ", stride "
                    + p.stride() + ") maps " + in.height() + "x" + in.width() + "x" + in.channels() + " to " + oh + "x" + ow + "x" + p.out()
                    + ", not " + out.height() + "x" + out.width() + "x" + out.channels());
        }
        long outputs = (long) out.rows() * p.out();
        long taps = (long) p.in() / p.groups() * p.kernel() * p.kernel();
        TaskCost cost = TaskCost.of(2 * outputs * taps, (long) in.rows() * p.in() + p.out() * taps + p.out(), outputs);
        List<Object> reads = List.of(in.data(), p.weight(), p.bias());
        List<Object> writes = List.of(out.data());
        int batch = in.batch();
        int padTop = p.padBefore(in.height());
        int padLeft = p.padBefore(in.width());
        int act = relu ? 1 : 0;
        String suffix = relu ? "+relu" : "";
        if (k.cpu() && JvmConvKernels.supports(p.in(), p.out(), p.groups())) {
            WorkerGrid grid = JvmConvKernels.grid(batch, oh, ow, p.out(), p.groups());
            if (p.groups() == 1) {
                JvmPackedWeights packed = k.packed(p.weight(), w -> JvmPackedWeights.packConv(w, p.out(), p.in(), p.kernel() * p.kernel()));
                return Step.kernel(name, "JvmConvKernels.conv2d" + suffix, grid, cost, Kernels.replacing(reads, p.weight(), packed), writes,
                        KernelCall.of(JvmConvKernels::conv2d, k.context(), in.data(), packed, p.bias(), out.data(), batch, in.height(), in.width(),
                                p.in(), p.out(), p.kernel(), p.stride(), padTop, padLeft, p.groups(), oh, ow, act));
            }
            return Step.kernel(name, "JvmConvKernels.depthwise" + suffix, grid, cost, reads, writes,
                    KernelCall.of(JvmConvKernels::depthwise, k.context(), in.data(), p.weight(), p.bias(), out.data(), batch, in.height(), in.width(),
                            p.in(), p.out(), p.kernel(), p.stride(), padTop, padLeft, p.groups(), oh, ow, act));
        }
        if (k.gpuVersions() && p.groups() == 1) {
            return Step.kernel(name, "ImplicitGemmConvKernels.conv2d" + suffix, ImplicitGemmConvKernels.conv2dGrid(batch, oh, ow, p.out()), cost, reads,
                    writes, KernelCall.of(ImplicitGemmConvKernels::conv2d, k.context(), in.data(), p.weight(), p.bias(), out.data(), batch, in.height(),
                            in.width(), p.in(), p.out(), p.kernel(), p.stride(), padTop, padLeft, oh, ow, act));
        }
        return Step.kernel(name, "ConvKernels.conv2d" + suffix, ConvKernels.grid(batch, oh, ow, p.out()), cost, reads, writes,
                KernelCall.of(ConvKernels::conv2d, k.context(), in.data(), p.weight(), p.bias(), out.data(), batch, in.height(), in.width(), p.in(),
                        p.out(), p.kernel(), p.stride(), padTop, padLeft, p.groups(), oh, ow, act));
    }

    /**
     * {@code nn.ConvTranspose2d(kernel_size=2, stride=2)}: each input pixel spreads over a 2x2 output block.
     * <ul>
     * <li>portable, version 1: {@code ConvKernels.convTranspose2x2}, grid 2D x = output channel, y = output pixel;</li>
     * <li>portable, version 2 (GPUs): {@code ImplicitGemmConvKernels.convTranspose2x2}, a GEMM of (input pixel) x
     * (output channel, tap) on 64 x 64 tiles;</li>
     * <li>JVM: {@code JvmConvKernels.convTranspose2x2}, one GEMM of input pixels x (tap, output channel) on the
     * packed-panel GEMM.</li>
     * </ul>
     * Cost: {@code 2 outputs in} FLOPs.
     */
    public static Step convTranspose2x2(String name, FeatureMap in, ConvTranspose2x2 p, FeatureMap out, Kernels k) {
        if (in.channels() != p.in() || out.channels() != p.out() || out.height() != 2 * in.height() || out.width() != 2 * in.width()
                || out.batch() != in.batch()) {
            throw new IllegalArgumentException("task " + name + ": a 2x2 stride-2 transposed conv doubles the map's height and width");
        }
        long outputs = (long) out.rows() * p.out();
        TaskCost cost = TaskCost.of(2 * outputs * p.in(), (long) in.rows() * p.in() + 4L * p.in() * p.out() + p.out(), outputs);
        List<Object> reads = List.of(in.data(), p.weight(), p.bias());
        List<Object> writes = List.of(out.data());
        if (k.cpu()) {
            JvmPackedWeights packed = k.packed(p.weight(), w -> JvmPackedWeights.packTransposed2x2(w, p.in(), p.out()));
            return Step.kernel(name, "JvmConvKernels.convTranspose2x2", JvmConvKernels.transposeGrid(in.batch(), in.height(), in.width(), p.out()),
                    cost, Kernels.replacing(reads, p.weight(), packed), writes, KernelCall.of(JvmConvKernels::convTranspose2x2, k.context(), in.data(), packed,
                            p.bias(), out.data(), in.batch(), in.height(), in.width(), p.in(), p.out()));
        }
        if (k.gpuVersions()) {
            return Step.kernel(name, "ImplicitGemmConvKernels.convTranspose2x2",
                    ImplicitGemmConvKernels.convTranspose2x2Grid(in.batch(), in.height(), in.width(), p.out()), cost, reads, writes,
                    KernelCall.of(ImplicitGemmConvKernels::convTranspose2x2, k.context(), in.data(), p.weight(), p.bias(), out.data(), in.batch(),
                            in.height(), in.width(), p.in(), p.out()));
        }
        return Step.kernel(name, "ConvKernels.convTranspose2x2", ConvKernels.grid(in.batch(), out.height(), out.width(), p.out()), cost, reads,
                writes, KernelCall.of(ConvKernels::convTranspose2x2, k.context(), in.data(), p.weight(), p.bias(), out.data(), in.batch(),
                        in.height(), in.width(), p.in(), p.out()));
    }

    /**
     * Max pooling, square window, PyTorch's or TensorFlow's "SAME" -inf padding. Portable: {@code ConvKernels.maxPool2d},
     * grid 2D x = channel, y = output pixel; JVM: {@code JvmMaxPoolKernels.maxPool2d}, grid 1D x = block of 64 output
     * pixels, a vector of channels per step. Cost: one comparison per window value.
     */
    public static Step maxPool2d(String name, FeatureMap in, MaxPool2d p, FeatureMap out, Kernels k) {
        int oh = p.outputSize(in.height());
        int ow = p.outputSize(in.width());
        if (out.height() != oh || out.width() != ow || out.channels() != in.channels() || out.batch() != in.batch()) {
            throw new IllegalArgumentException("task " + name + ": max-pool " + p.kernel() + "/" + p.stride() + " maps " + in.height() + "x" + in.width()
                    + " to " + oh + "x" + ow);
        }
        long outputs = (long) out.rows() * out.channels();
        TaskCost cost = TaskCost.of(outputs * p.kernel() * p.kernel(), (long) in.rows() * in.channels(), outputs);
        if (k.cpu()) {
            return Step.kernel(name, "JvmMaxPoolKernels.maxPool2d", JvmMaxPoolKernels.grid(in.batch(), oh, ow), cost, List.of(in.data()),
                    List.of(out.data()), KernelCall.of(JvmMaxPoolKernels::maxPool2d, k.context(), in.data(), out.data(), in.batch(), in.height(),
                            in.width(), in.channels(), p.kernel(), p.stride(), p.padBefore(in.height()), p.padBefore(in.width()), oh, ow));
        }
        return Step.kernel(name, "ConvKernels.maxPool2d", ConvKernels.grid(in.batch(), oh, ow, in.channels()),
                TaskCost.of(outputs * p.kernel() * p.kernel(), (long) in.rows() * in.channels(), outputs), List.of(in.data()), List.of(out.data()),
                KernelCall.of(ConvKernels::maxPool2d, k.context(), in.data(), out.data(), in.batch(), in.height(), in.width(), in.channels(), p.kernel(),
                        p.stride(), p.padBefore(in.height()), p.padBefore(in.width()), oh, ow));
    }
}
