package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;

import org.vitornado.kernels.Grids;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@code y = x W^T + b} for the JVM backend only: the same maths as {@code LinearKernels}, blocked for a CPU with the
 * Vector API (never handed to TornadoVM, whose JIT could not compile it). One work-item computes a
 * {@value #BLOCK} x {@value #BLOCK} block of outputs (rows x features), so that its slice of W stays in L2 while every
 * row of the block streams past it; inside, 4 x 4 register tiles accumulate 16 dot products along {@code in}, one
 * SIMD vector per FMA.
 *
 * <p>Grid 2D: x = feature block, y = row block; local 1 x 1 (each work-item is a whole block, the JVM's work-groups
 * are spread over all cores).
 */
public final class JvmLinearKernels {

    static final int BLOCK = 64;

    /** What follows the matrix product. */
    public static final int PLAIN = 0;
    public static final int GELU = 1;
    public static final int RESIDUAL = 2;

    private JvmLinearKernels() {
    }

    public static WorkerGrid grid(int rows, int out) {
        return Grids.grid2D((out + BLOCK - 1) / BLOCK, (rows + BLOCK - 1) / BLOCK, 1, 1);
    }

    /** One {@value #BLOCK} x {@value #BLOCK} block of {@code y = epilogue(x W^T + b)}. */
    public static void linear(KernelContext ctx, FloatArray x, FloatArray w, FloatArray b, FloatArray y, int rows, int in, int out,
            int epilogue) {
        int n0 = ctx.globalIdx * BLOCK;
        int r0 = ctx.globalIdy * BLOCK;
        int nEnd = Math.min(n0 + BLOCK, out);
        int rEnd = Math.min(r0 + BLOCK, rows);
        MemorySegment xs = x.getSegment();
        MemorySegment ws = w.getSegment();
        float[] acc = new float[16];
        for (int r = r0; r < rEnd; r += 4) {
            for (int n = n0; n < nEnd; n += 4) {
                tile(xs, ws, r, n, rows, out, in, acc);
                for (int i = 0; i < 4 && r + i < rEnd; i++) {
                    for (int j = 0; j < 4 && n + j < nEnd; j++) {
                        int o = (r + i) * out + n + j;
                        float v = acc[i * 4 + j] + b.get(n + j);
                        y.set(o, epilogue == RESIDUAL ? y.get(o) + v : v);
                    }
                }
            }
        }
        if (epilogue == GELU) {
            for (int r = r0; r < rEnd; r++) {
                JvmGelu.apply(y.getSegment(), ((long) r * out + n0) * Float.BYTES, nEnd - n0);
            }
        }
    }

    /** acc[i*4 + j] = x[r + i] . W[n + j]; rows and features past the end repeat the last one (not stored). */
    static void tile(MemorySegment xs, MemorySegment ws, int r, int n, int rows, int out, int in, float[] acc) {
        long row = (long) in * Float.BYTES;
        JvmTiles.dot4x4(xs, Math.min(r, rows - 1) * row, Math.min(r + 1, rows - 1) * row, Math.min(r + 2, rows - 1) * row,
                Math.min(r + 3, rows - 1) * row, ws, Math.min(n, out - 1) * row, Math.min(n + 1, out - 1) * row,
                Math.min(n + 2, out - 1) * row, Math.min(n + 3, out - 1) * row, in, acc);
    }
}
