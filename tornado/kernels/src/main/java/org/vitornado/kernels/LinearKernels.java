package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;

/**
 * Fully connected layers over token rows: {@code y[r, n] = sum_k x[r, k] W[n, k] + b[n]} with PyTorch's weight
 * layout {@code W [out, in]}, so both operands of the inner product are contiguous. The activation (GELU) and the
 * residual add are fused into the same pass, saving a round trip of the activations through memory.
 * <p>
 * The {@code ...Half} variants take the weights as fp16 ({@code --precision fp16}: half the weight memory and
 * bandwidth on a GPU); each weight is widened to float32 as it is read, and the sums stay float32.
 * <p>Float64 reference: {@link org.vitornado.reference.Linear}.
 */
public final class LinearKernels {

    private LinearKernels() {
    }

    /** Grid 2D: x = output feature n, y = row r; one work-item per output element. */
    public static WorkerGrid grid(int rows, int out) {
        return Grids.grid2D(out, rows, 16, 4);
    }

    /** y = x W^T + b. */
    public static void linear(KernelContext ctx, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        int n = ctx.globalIdx;
        int r = ctx.globalIdy;
        if (n < out && r < rows) {
            y.set(r * out + n, dot(x, r * in, w, n * in, in) + b.get(n));
        }
    }

    /** y = gelu(x W^T + b): the MLP's first layer with its activation. */
    public static void linearGelu(KernelContext ctx, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        int n = ctx.globalIdx;
        int r = ctx.globalIdy;
        if (n < out && r < rows) {
            y.set(r * out + n, ActivationKernels.gelu(dot(x, r * in, w, n * in, in) + b.get(n)));
        }
    }

    /** y = y + x W^T + b: an output projection added into the residual stream y (x and y distinct). */
    public static void linearResidual(KernelContext ctx, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        int n = ctx.globalIdx;
        int r = ctx.globalIdy;
        if (n < out && r < rows) {
            int i = r * out + n;
            y.set(i, y.get(i) + dot(x, r * in, w, n * in, in) + b.get(n));
        }
    }

    /** y = x W^T + b with fp16 weights. */
    public static void linearHalf(KernelContext ctx, FloatArray x, HalfFloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        int n = ctx.globalIdx;
        int r = ctx.globalIdy;
        if (n < out && r < rows) {
            y.set(r * out + n, dotHalf(x, r * in, w, n * in, in) + b.get(n));
        }
    }

    /** y = gelu(x W^T + b) with fp16 weights. */
    public static void linearGeluHalf(KernelContext ctx, FloatArray x, HalfFloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        int n = ctx.globalIdx;
        int r = ctx.globalIdy;
        if (n < out && r < rows) {
            y.set(r * out + n, ActivationKernels.gelu(dotHalf(x, r * in, w, n * in, in) + b.get(n)));
        }
    }

    /** y = y + x W^T + b with fp16 weights. */
    public static void linearResidualHalf(KernelContext ctx, FloatArray x, HalfFloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        int n = ctx.globalIdx;
        int r = ctx.globalIdy;
        if (n < out && r < rows) {
            int i = r * out + n;
            y.set(i, y.get(i) + dotHalf(x, r * in, w, n * in, in) + b.get(n));
        }
    }

    /** sum_k a[aOff + k] * b[bOff + k] with fp16 b, widened as read; four float32 partial sums. */
    static float dotHalf(FloatArray a, int aOff, HalfFloatArray b, int bOff, int n) {
        float s0 = 0.0f;
        float s1 = 0.0f;
        float s2 = 0.0f;
        float s3 = 0.0f;
        int k = 0;
        for (; k + 3 < n; k += 4) {
            s0 += a.get(aOff + k) * b.get(bOff + k).getFloat32();
            s1 += a.get(aOff + k + 1) * b.get(bOff + k + 1).getFloat32();
            s2 += a.get(aOff + k + 2) * b.get(bOff + k + 2).getFloat32();
            s3 += a.get(aOff + k + 3) * b.get(bOff + k + 3).getFloat32();
        }
        for (; k < n; k++) {
            s0 += a.get(aOff + k) * b.get(bOff + k).getFloat32();
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** sum_k a[aOff + k] * b[bOff + k], with four partial sums to shorten the dependency chain. */
    static float dot(FloatArray a, int aOff, FloatArray b, int bOff, int n) {
        float s0 = 0.0f;
        float s1 = 0.0f;
        float s2 = 0.0f;
        float s3 = 0.0f;
        int k = 0;
        for (; k + 3 < n; k += 4) {
            s0 += a.get(aOff + k) * b.get(bOff + k);
            s1 += a.get(aOff + k + 1) * b.get(bOff + k + 1);
            s2 += a.get(aOff + k + 2) * b.get(bOff + k + 2);
            s3 += a.get(aOff + k + 3) * b.get(bOff + k + 3);
        }
        for (; k < n; k++) {
            s0 += a.get(aOff + k) * b.get(bOff + k);
        }
        return (s0 + s1) + (s2 + s3);
    }
}
