package org.vitornado.runtime.ops;

import java.util.List;

import org.vitornado.kernels.GroupLayerNormKernels;
import org.vitornado.kernels.LayerNormKernels;
import org.vitornado.kernels.GroupSoftmaxKernels;
import org.vitornado.kernels.SoftmaxKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.jvm.JvmLayerNormKernels;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.Tokens;

/** Row-wise normalisations: LayerNorm and softmax. */
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
}
