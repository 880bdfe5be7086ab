package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid2D;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;

/**
 * Version 2 of the linear layer ({@link LinearKernels} is version 1, the readable reference): the same
 * {@code y[r, n] = sum_k x[r, k] W[n, k] + b[n]} as a tiled GEMM for GPUs.
 * <p>
 * Version 1 gives every output its own work-item, which reads a whole row of {@code x} and of {@code W} from global
 * memory: {@code 2 in} loads for {@code in} FMAs. Here a work-group computes a {@code 64 x 64} tile of {@code y}
 * (64 rows, 64 output features). It walks {@code k} in steps of 16: the group copies the {@code 64 x 16} slices of
 * {@code x} and {@code W} into local memory once, then every work-item accumulates a {@code 4 x 4} register block of
 * the tile from them, so each value loaded from global memory feeds 64 FMAs and each value read from local memory
 * feeds 4. Work-item {@code (lx, ly)} owns rows {@code ly + 16 i} and features {@code lx + 16 j} of the tile
 * ({@code i, j < 4}): neighbouring work-items read neighbouring local addresses, and their stores to {@code y} are
 * contiguous.
 * <p>
 * The slices are stored transposed ({@code [k][row]}), with a row stride of 65 rather than 64 so that the copy-in,
 * which walks {@code k} fastest to read global memory contiguously, does not hit one local bank 16 times. Loads past
 * the edges of {@code x} and {@code W} read zeros, so any shape works; only stores are guarded.
 * <p>
 * Local memory: {@code 2 * 16 * 65} floats (8.3 KB); work-group: 16 x 16 = 256 work-items. {@link #fits} says whether
 * a device offers that.
 * <p>Float64 reference: {@link org.vitornado.reference.Linear}.
 */
public final class TiledLinearKernels {

    /** Rows (and output features) of y per work-group. */
    public static final int TILE = 64;
    /** Work-items per work-group along each axis; each owns TILE / GROUP = 4 rows and 4 features. */
    public static final int GROUP = 16;
    /** Step along k: the width of the slices held in local memory. */
    public static final int DEPTH = 16;
    /** Row stride of a slice in local memory (TILE + 1: see the class comment). */
    static final int STRIDE = 65;
    /** Local memory one work-group needs, in bytes. */
    public static final long LOCAL_BYTES = 2L * DEPTH * STRIDE * Float.BYTES;

    private TiledLinearKernels() {
    }

    /** Whether a device with this much local memory and this largest work-group can run these kernels. */
    public static boolean fits(long localMemoryBytes, long maxWorkGroupItems) {
        return localMemoryBytes >= LOCAL_BYTES && maxWorkGroupItems >= (long) GROUP * GROUP;
    }

    /** Grid 2D: one 16 x 16 work-group per 64 x 64 tile of y; x runs over output features, y over rows. */
    public static WorkerGrid grid(int rows, int out) {
        WorkerGrid g = new WorkerGrid2D(Grids.roundUp(Math.max(out, 1), TILE) / TILE * GROUP, Grids.roundUp(Math.max(rows, 1), TILE) / TILE * GROUP);
        g.setLocalWork(GROUP, GROUP, 1);
        return g;
    }

    /** y = x W^T + b. */
    public static void linear(KernelContext ctx, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        gemm(ctx, x, w, b, y, rows, in, out, 0);
    }

    /** y = gelu(x W^T + b). */
    public static void linearGelu(KernelContext ctx, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        gemm(ctx, x, w, b, y, rows, in, out, 1);
    }

    /** y = y + x W^T + b (x and y distinct). */
    public static void linearResidual(KernelContext ctx, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        gemm(ctx, x, w, b, y, rows, in, out, 2);
    }

    /** y = x W^T + b with fp16 weights (widened to float32 as they are copied into local memory). */
    public static void linearHalf(KernelContext ctx, FloatArray x, HalfFloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        gemmHalf(ctx, x, w, b, y, rows, in, out, 0);
    }

    /** y = gelu(x W^T + b) with fp16 weights. */
    public static void linearGeluHalf(KernelContext ctx, FloatArray x, HalfFloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        gemmHalf(ctx, x, w, b, y, rows, in, out, 1);
    }

    /** y = y + x W^T + b with fp16 weights. */
    public static void linearResidualHalf(KernelContext ctx, FloatArray x, HalfFloatArray w, FloatArray b, FloatArray y, int rows, int in, int out) {
        gemmHalf(ctx, x, w, b, y, rows, in, out, 2);
    }

    /**
     * The tiled product, then the epilogue: 0 store, 1 GELU, 2 add into y. (TILE, GROUP, DEPTH and STRIDE are
     * compile-time constants: javac writes their values into the kernel's bytecode.)
     */
    static void gemm(KernelContext ctx, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out, int epilogue) {
        float[] xs = ctx.allocateFloatLocalArray(DEPTH * STRIDE);
        float[] ws = ctx.allocateFloatLocalArray(DEPTH * STRIDE);
        int lx = ctx.localIdx;
        int ly = ctx.localIdy;
        int row0 = ctx.groupIdy * TILE;
        int col0 = ctx.groupIdx * TILE;
        int flat = ly * GROUP + lx;
        // acc[i * 4 + j]: row row0 + ly + GROUP i, feature col0 + lx + GROUP j.
        float[] acc = new float[16];
        // TornadoVM declares a private array without Java's zeroing: clear it explicitly.
        for (int q = 0; q < 16; q++) {
            acc[q] = 0.0f;
        }
        for (int k0 = 0; k0 < in; k0 += DEPTH) {
            // Copy-in: TILE x DEPTH values of each operand, 4 per work-item; k varies fastest across work-items.
            for (int e = flat; e < TILE * DEPTH; e += GROUP * GROUP) {
                int t = e / DEPTH;
                int kk = e % DEPTH;
                int k = k0 + kk;
                int r = row0 + t;
                int n = col0 + t;
                xs[kk * STRIDE + t] = r < rows && k < in ? x.get(r * in + k) : 0.0f;
                ws[kk * STRIDE + t] = n < out && k < in ? w.get(n * in + k) : 0.0f;
            }
            ctx.localBarrier();
            for (int kk = 0; kk < DEPTH; kk++) {
                for (int i = 0; i < 4; i++) {
                    float a = xs[kk * STRIDE + ly + GROUP * i];
                    for (int j = 0; j < 4; j++) {
                        acc[i * 4 + j] += a * ws[kk * STRIDE + lx + GROUP * j];
                    }
                }
            }
            ctx.localBarrier();
        }
        for (int i = 0; i < 4; i++) {
            int r = row0 + ly + GROUP * i;
            for (int j = 0; j < 4; j++) {
                int n = col0 + lx + GROUP * j;
                if (r < rows && n < out) {
                    y.set(r * out + n, epilogue(y, r * out + n, acc[i * 4 + j] + b.get(n), epilogue));
                }
            }
        }
    }

    /**
     * {@link #gemm} with fp16 weights: only the copy-in differs. (The shared loops cannot move into a helper: TornadoVM
     * 5.2 loses what a helper writes into a private or local array passed to it; see docs/kernels.md.)
     */
    static void gemmHalf(KernelContext ctx, FloatArray x, HalfFloatArray w, FloatArray b, FloatArray y, int rows, int in, int out, int epilogue) {
        float[] xs = ctx.allocateFloatLocalArray(DEPTH * STRIDE);
        float[] ws = ctx.allocateFloatLocalArray(DEPTH * STRIDE);
        int lx = ctx.localIdx;
        int ly = ctx.localIdy;
        int row0 = ctx.groupIdy * TILE;
        int col0 = ctx.groupIdx * TILE;
        int flat = ly * GROUP + lx;
        float[] acc = new float[16];
        for (int q = 0; q < 16; q++) {
            acc[q] = 0.0f;
        }
        for (int k0 = 0; k0 < in; k0 += DEPTH) {
            for (int e = flat; e < TILE * DEPTH; e += GROUP * GROUP) {
                int t = e / DEPTH;
                int kk = e % DEPTH;
                int k = k0 + kk;
                int r = row0 + t;
                int n = col0 + t;
                xs[kk * STRIDE + t] = r < rows && k < in ? x.get(r * in + k) : 0.0f;
                ws[kk * STRIDE + t] = n < out && k < in ? w.get(n * in + k).getFloat32() : 0.0f;
            }
            ctx.localBarrier();
            for (int kk = 0; kk < DEPTH; kk++) {
                for (int i = 0; i < 4; i++) {
                    float a = xs[kk * STRIDE + ly + GROUP * i];
                    for (int j = 0; j < 4; j++) {
                        acc[i * 4 + j] += a * ws[kk * STRIDE + lx + GROUP * j];
                    }
                }
            }
            ctx.localBarrier();
        }
        for (int i = 0; i < 4; i++) {
            int r = row0 + ly + GROUP * i;
            for (int j = 0; j < 4; j++) {
                int n = col0 + lx + GROUP * j;
                if (r < rows && n < out) {
                    y.set(r * out + n, epilogue(y, r * out + n, acc[i * 4 + j] + b.get(n), epilogue));
                }
            }
        }
    }

    /** What is stored for the value v = (x W^T + b)[at]: v, gelu(v), or y[at] + v. */
    static float epilogue(FloatArray y, int at, float v, int epilogue) {
        if (epilogue == 1) {
            return ActivationKernels.gelu(v);
        }
        if (epilogue == 2) {
            return y.get(at) + v;
        }
        return v;
    }
}
