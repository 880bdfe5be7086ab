package org.vitornado.runtime.ops;

import java.util.List;

import org.vitornado.kernels.ActivationKernels;
import org.vitornado.kernels.ElementwiseKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.jvm.JvmGelu;
import org.vitornado.runtime.jvm.JvmRelu;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Element-by-element work on whole arrays: activations, residual adds, row copies. Memory-bound, no reuse. */
public final class ElementwiseOps {

    private ElementwiseOps() {
    }

    /**
     * {@code x = gelu(x)} (exact erf form). Portable: {@code ActivationKernels.geluInPlace}, a {@code @Parallel} loop
     * over the values; JVM: {@code JvmGelu.geluInPlace}, grid 1D x = block of 4,096 values, SIMD. About 20 FLOPs a value.
     */
    public static Step gelu(String name, FloatArray x, Kernels k) {
        int n = x.getSize();
        TaskCost cost = TaskCost.of(20L * n, n, n);
        if (k.cpu()) {
            return Step.kernel(name, "JvmGelu.geluInPlace", JvmGelu.grid(n), cost, List.of(x), List.of(x),
                    KernelCall.of(JvmGelu::geluInPlace, k.context(), x, n));
        }
        return Step.parallel(name, "ActivationKernels.geluInPlace", n, cost, List.of(x), List.of(x), KernelCall.of(ActivationKernels::geluInPlace, x, n));
    }

    /**
     * {@code x = max(x, 0)}. Portable: {@code ActivationKernels.reluInPlace}, a {@code @Parallel} loop over the values;
     * JVM: {@code JvmRelu.reluInPlace}, grid 1D x = block of 4,096 values, SIMD.
     */
    public static Step relu(String name, FloatArray x, Kernels k) {
        int n = x.getSize();
        if (k.cpu()) {
            return Step.kernel(name, "JvmRelu.reluInPlace", JvmRelu.grid(n), TaskCost.of(n, n, n), List.of(x), List.of(x),
                    KernelCall.of(JvmRelu::reluInPlace, k.context(), x, n));
        }
        return Step.parallel(name, "ActivationKernels.reluInPlace", n, TaskCost.of(n, n, n), List.of(x), List.of(x),
                KernelCall.of(ActivationKernels::reluInPlace, x, n));
    }

    /** {@code x += y} (a residual branch added back): {@code ElementwiseKernels.addInPlace}, a {@code @Parallel} loop. */
    public static Step add(String name, FloatArray x, FloatArray y) {
        int n = x.getSize();
        if (y.getSize() != n || x == y) {
            throw new IllegalArgumentException("task " + name + ": adding arrays of " + y.getSize() + " values into " + n);
        }
        return Step.parallel(name, "ElementwiseKernels.addInPlace", n, TaskCost.of(n, 2L * n, n), List.of(x, y), List.of(x),
                KernelCall.of(ElementwiseKernels::addInPlace, x, y, n));
    }

    /** {@code out = x + y} (a query or key with its position embedding): {@code ElementwiseKernels.add}, a {@code @Parallel} loop. */
    public static Step add(String name, FloatArray x, FloatArray y, FloatArray out) {
        int n = out.getSize();
        if (x.getSize() != n || y.getSize() != n || out == x || out == y) {
            throw new IllegalArgumentException("task " + name + ": adding arrays of " + x.getSize() + " and " + y.getSize() + " values into a new one of " + n);
        }
        return Step.parallel(name, "ElementwiseKernels.add", n, TaskCost.of(n, 2L * n, n), List.of(x, y), List.of(out),
                KernelCall.of(ElementwiseKernels::add, x, y, out, n));
    }

    /**
     * {@code x = max(x + y, 0)} (a ResNet block's shortcut, then ReLU). Portable: {@code ElementwiseKernels.addReluInPlace},
     * a {@code @Parallel} loop; JVM: {@code JvmRelu.addReluInPlace}, grid 1D x = block of 4,096 values, SIMD.
     */
    public static Step addRelu(String name, FloatArray x, FloatArray y, Kernels k) {
        int n = x.getSize();
        if (y.getSize() != n || x == y) {
            throw new IllegalArgumentException("task " + name + ": adding arrays of " + y.getSize() + " values into " + n);
        }
        if (k.cpu()) {
            return Step.kernel(name, "JvmRelu.addReluInPlace", JvmRelu.grid(n), TaskCost.of(2L * n, 2L * n, n), List.of(x, y), List.of(x),
                    KernelCall.of(JvmRelu::addReluInPlace, k.context(), x, y, n));
        }
        return Step.parallel(name, "ElementwiseKernels.addReluInPlace", n, TaskCost.of(2L * n, 2L * n, n), List.of(x, y), List.of(x),
                KernelCall.of(ElementwiseKernels::addReluInPlace, x, y, n));
    }

    /** {@code x = sigmoid(x)}: {@code ActivationKernels.sigmoidInPlace}, a {@code @Parallel} loop. About 4 FLOPs a value. */
    public static Step sigmoid(String name, FloatArray x) {
        int n = x.getSize();
        return Step.parallel(name, "ActivationKernels.sigmoidInPlace", n, TaskCost.of(4L * n, n, n), List.of(x), List.of(x),
                KernelCall.of(ActivationKernels::sigmoidInPlace, x, n));
    }

    /**
     * Rows {@code [srcStart, srcStart + rows)} of every image of {@code src} into rows {@code [dstStart, ...)} of the
     * same image of {@code dst} (drop a class token, place tokens side by side); a one-image {@code src} is broadcast
     * to every image (learned class embeddings). {@code ElementwiseKernels.copyRows}, a {@code @Parallel} loop.
     */
    public static Step copyRows(String name, Tokens src, int srcStart, Tokens dst, int dstStart, int rows) {
        boolean broadcast = src.batch() == 1 && dst.batch() > 1;
        if (src.channels() != dst.channels() || (!broadcast && src.batch() != dst.batch()) || srcStart < 0 || dstStart < 0
                || srcStart + rows > src.tokens() || dstStart + rows > dst.tokens()) {
            throw new IllegalArgumentException("task " + name + ": cannot copy " + rows + " rows from [" + src.batch() + " x " + src.tokens() + ", "
                    + src.channels() + "] at " + srcStart + " into [" + dst.batch() + " x " + dst.tokens() + ", " + dst.channels() + "] at " + dstStart);
        }
        long n = (long) dst.batch() * rows * dst.channels();
        return Step.parallel(name, "ElementwiseKernels.copyRows", n, TaskCost.of(0, n, n), List.of(src.data()), List.of(dst.data()),
                KernelCall.of(ElementwiseKernels::copyRows, src.data(), dst.data(), dst.batch(), rows, dst.channels(), broadcast ? 0 : src.tokens(),
                        srcStart, dst.tokens(), dstStart));
    }
}
