package org.vitornado.runtime.ops;

import java.util.List;

import org.vitornado.kernels.GroupLayerNormKernels;
import org.vitornado.kernels.GroupNormKernels;
import org.vitornado.kernels.LayerNormKernels;
import org.vitornado.kernels.GroupSoftmaxKernels;
import org.vitornado.kernels.SoftmaxKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.jvm.JvmGroupNormKernels;
import org.vitornado.runtime.jvm.JvmLayerNormKernels;
import org.vitornado.runtime.nn.GroupNorm;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Normalisations: LayerNorm and softmax over rows, GroupNorm over a map's channel groups. */
public final class NormOps {

    private NormOps() {
    }

    /**
     * LayerNorm of every row of {@code x} into {@code y} (may be {@code x}). Version 1, {@code LayerNormKernels.layerNorm}:
     * grid 1D x = row; version 2 (GPUs, up to {@code GroupLayerNormKernels.MAX_ROWS} rows), {@code GroupLayerNormKernels.layerNorm}:
     * a 128-work-item group per row; JVM, {@code JvmLayerNormKernels.layerNorm}: grid 1D x = block of 16 rows, SIMD along the row.
     * Cost: about 8 FLOPs per value.
     */
    public static Step layerNorm(String name, Tokens x, LayerNorm p, Tokens y, Kernels k) {
        if (x.rows() != y.rows() || x.channels() != y.channels()) {
            throw new IllegalArgumentException("task " + name + ": LayerNorm from [" + x.rows() + ", " + x.channels() + "] into [" + y.rows() + ", "
                    + y.channels() + "]");
        }
        int rows = x.rows();
        int cols = x.channels();
        long n = (long) rows * cols;
        List<Object> reads = List.of(x.data(), p.weight(), p.bias());
        if (k.gpuVersions() && rows <= GroupLayerNormKernels.MAX_ROWS) {
            return Step.kernel(name, "GroupLayerNormKernels.layerNorm", GroupLayerNormKernels.grid(rows), TaskCost.of(8 * n, n + 2L * cols, n), reads,
                    List.of(y.data()),
                    KernelCall.of(GroupLayerNormKernels::layerNorm, k.context(), x.data(), p.weight(), p.bias(), y.data(), rows, cols, p.eps()));
        }
        if (k.cpu()) {
            return Step.kernel(name, "JvmLayerNormKernels.layerNorm", JvmLayerNormKernels.grid(rows), TaskCost.of(8 * n, n + 2L * cols, n), reads,
                    List.of(y.data()), KernelCall.of(JvmLayerNormKernels::layerNorm, k.context(), x.data(), p.weight(), p.bias(), y.data(), rows, cols, p.eps()));
        }
        return Step.kernel(name, "LayerNormKernels.layerNorm", LayerNormKernels.grid(rows), TaskCost.of(8 * n, n + 2L * cols, n), reads,
                List.of(y.data()), KernelCall.of(LayerNormKernels::layerNorm, k.context(), x.data(), p.weight(), p.bias(), y.data(), rows, cols, p.eps()));
    }

    /**
     * Softmax of every row. Version 1, {@code SoftmaxKernels.softmax}: grid 1D x = row; version 2 (GPUs, up to
     * {@code GroupSoftmaxKernels.MAX_ROWS} rows), {@code GroupSoftmaxKernels.softmax}: a 128-work-item group per row.
     * Cost: about 5 FLOPs per value.
     */
    public static Step softmax(String name, Tokens x, Tokens y, Kernels k) {
        if (x.rows() != y.rows() || x.channels() != y.channels()) {
            throw new IllegalArgumentException("task " + name + ": softmax shapes differ");
        }
        int rows = x.rows();
        int cols = x.channels();
        long n = (long) rows * cols;
        if (k.gpuVersions() && rows <= GroupSoftmaxKernels.MAX_ROWS) {
            return Step.kernel(name, "GroupSoftmaxKernels.softmax", GroupSoftmaxKernels.grid(rows), TaskCost.of(5 * n, n, n), List.of(x.data()),
                    List.of(y.data()), KernelCall.of(GroupSoftmaxKernels::softmax, k.context(), x.data(), y.data(), rows, cols));
        }
        return Step.kernel(name, "SoftmaxKernels.softmax", SoftmaxKernels.grid(rows), TaskCost.of(5 * n, n, n), List.of(x.data()),
                List.of(y.data()), KernelCall.of(SoftmaxKernels::softmax, k.context(), x.data(), y.data(), rows, cols));
    }

    /**
     * GroupNorm's statistics: each (image, group)'s mean and {@code 1 / sqrt(var + eps)} into {@code stats [batch,
     * groups, 2]}. Portable: {@code GroupNormKernels.groupStats}, grid 1D x = image * groups + group; JVM:
     * {@code JvmGroupNormKernels.groupStats}, grid 1D x = image x run of groups, vectors along the channels. Cost: 4
     * FLOPs per value.
     */
    public static Step groupStats(String name, FeatureMap x, GroupNorm p, FloatArray stats, Kernels k) {
        if (x.channels() != p.channels() || stats.getSize() != 2 * x.batch() * p.groups()) {
            throw new IllegalArgumentException("task " + name + ": GroupNorm of " + p.channels() + " channels on a map of " + x.channels());
        }
        long n = (long) x.rows() * x.channels();
        if (k.cpu()) {
            return Step.kernel(name, "JvmGroupNormKernels.groupStats", JvmGroupNormKernels.statsGrid(x.batch(), p.groups()),
                    TaskCost.of(4 * n, 2 * n, stats.getSize()), List.of(x.data()), List.of(stats), KernelCall.of(JvmGroupNormKernels::groupStats,
                            k.context(), x.data(), stats, x.batch(), x.height(), x.width(), x.channels(), p.groups(), p.eps()));
        }
        return Step.kernel(name, "GroupNormKernels.groupStats", GroupNormKernels.statsGrid(x.batch(), p.groups()), TaskCost.of(4 * n, 2 * n, stats.getSize()),
                List.of(x.data()), List.of(stats), KernelCall.of(GroupNormKernels::groupStats, k.context(), x.data(), stats, x.batch(), x.height(),
                        x.width(), x.channels(), p.groups(), p.eps()));
    }

    /**
     * GroupNorm applied with its {@link #groupStats}, then ReLU if {@code relu}, or (with a {@code shortcut}) the
     * shortcut added and ReLU: a ResNetV2 block's end. Portable: {@code GroupNormKernels.groupNorm | groupNormAddRelu},
     * grid 2D x = channel, y = pixel; JVM: {@code JvmGroupNormKernels}, grid 1D x = block of 64 pixels, a vector of
     * channels per FMA. {@code y} may be {@code x}. Cost: 4 FLOPs per value.
     */
    public static Step groupNorm(String name, FeatureMap x, GroupNorm p, FloatArray stats, FeatureMap shortcut, boolean relu, FeatureMap y,
            Kernels k) {
        if (!x.equals(y) && (x.rows() != y.rows() || x.channels() != y.channels()) || shortcut != null && (shortcut.rows() != x.rows()
                || shortcut.channels() != x.channels())) {
            throw new IllegalArgumentException("task " + name + ": GroupNorm input, shortcut and output maps differ in shape");
        }
        long n = (long) x.rows() * x.channels();
        int pixels = x.height() * x.width();
        if (k.cpu()) {
            WorkerGrid grid = JvmGroupNormKernels.grid(x.batch(), pixels);
            if (shortcut != null) {
                return Step.kernel(name, "JvmGroupNormKernels.groupNormAddRelu", grid, TaskCost.of(6 * n, 2 * n, n),
                        List.of(x.data(), stats, p.weight(), p.bias(), shortcut.data()), List.of(y.data()),
                        KernelCall.of(JvmGroupNormKernels::groupNormAddRelu, k.context(), x.data(), stats, p.weight(), p.bias(), shortcut.data(),
                                y.data(), x.batch(), pixels, x.channels(), p.groups()));
            }
            return Step.kernel(name, "JvmGroupNormKernels.groupNorm" + (relu ? "+relu" : ""), grid, TaskCost.of(4 * n, n, n),
                    List.of(x.data(), stats, p.weight(), p.bias()), List.of(y.data()), KernelCall.of(JvmGroupNormKernels::groupNorm, k.context(),
                            x.data(), stats, p.weight(), p.bias(), y.data(), x.batch(), pixels, x.channels(), p.groups(), relu ? 1 : 0));
        }
        if (shortcut != null) {
            return Step.kernel(name, "GroupNormKernels.groupNormAddRelu", GroupNormKernels.applyGrid(x.batch(), pixels, x.channels()),
                    TaskCost.of(6 * n, 2 * n, n), List.of(x.data(), stats, p.weight(), p.bias(), shortcut.data()), List.of(y.data()),
                    KernelCall.of(GroupNormKernels::groupNormAddRelu, k.context(), x.data(), stats, p.weight(), p.bias(), shortcut.data(), y.data(),
                            x.batch(), pixels, x.channels(), p.groups()));
        }
        return Step.kernel(name, "GroupNormKernels.groupNorm" + (relu ? "+relu" : ""), GroupNormKernels.applyGrid(x.batch(), pixels, x.channels()),
                TaskCost.of(4 * n, n, n), List.of(x.data(), stats, p.weight(), p.bias()), List.of(y.data()),
                KernelCall.of(GroupNormKernels::groupNorm, k.context(), x.data(), stats, p.weight(), p.bias(), y.data(), x.batch(), pixels,
                        x.channels(), p.groups(), relu ? 1 : 0));
    }
}
