package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@code y = epilogue(x W^T + b)} for the JVM backend only: the same maths as {@code LinearKernels}, as a blocked
 * GEMM for a CPU with the Vector API (never handed to TornadoVM, whose JIT could not compile it). W comes packed once
 * per plan ({@link JvmPackedWeights}); the register tile is {@link JvmMicroKernel}.
 *
 * <p>Grid 2D: x = block of {@value #ROW_BLOCK} rows, y = block of {@value #PANELS} weight panels (256 features on
 * AVX-512); local 1 x 1 (each work-item is a whole block, the JVM's work-groups are spread over all cores). Rows
 * vary fastest, so the consecutive work-items a thread runs share their panels, which stay in its caches instead of
 * being read again from memory for every block of rows. A work-item copies its rows of x into a heap array once,
 * multiplies them with its panels ({@link JvmGemm}), and applies the bias, GELU or residual as the block is stored.
 * Four panels per copy rather than two: the copy is a smaller share of the work.
 */
public final class JvmLinearKernels {

    static final int ROW_BLOCK = 8 * JvmMicroKernel.ROWS;
    static final int PANELS = 4;

    /** What follows the matrix product. */
    public static final int PLAIN = 0;
    public static final int GELU = 1;
    public static final int RESIDUAL = 2;

    /** Per thread: the copy of x's rows (slot 0) and the block of accumulators (slot 1). */
    private static final JvmScratch SCRATCH = new JvmScratch(2);

    private JvmLinearKernels() {
    }

    public static WorkerGrid grid(int rows, int out) {
        int panels = (out + JvmMicroKernel.width() - 1) / JvmMicroKernel.width();
        return Grids.grid2D((rows + ROW_BLOCK - 1) / ROW_BLOCK, (panels + PANELS - 1) / PANELS, 1, 1);
    }

    /** One block of {@code y = epilogue(x W^T + b)}: rows {@code [r0, r0 + ROW_BLOCK)}, panels {@code [p0, p0 + PANELS)}. */
    public static void linear(KernelContext ctx, FloatArray x, JvmPackedWeights w, FloatArray b, FloatArray y, int rows, int in, int out,
            int epilogue) {
        int width = w.width();
        int r0 = ctx.globalIdx * ROW_BLOCK;
        int p0 = ctx.globalIdy * PANELS;
        int panels = Math.min(PANELS, w.count() - p0);
        int n = Math.min(ROW_BLOCK, rows - r0);
        int tiles = (n + JvmMicroKernel.ROWS - 1) / JvmMicroKernel.ROWS;
        int ldc = panels * width;
        float[] a = SCRATCH.get(0, tiles * JvmMicroKernel.ROWS * in);
        float[] c = SCRATCH.get(1, tiles * JvmMicroKernel.ROWS * ldc);
        // Rows past the end are zeros: their tile rows are computed and never stored.
        MemorySegment.copy(x.getSegment(), ValueLayout.JAVA_FLOAT, (long) r0 * in * Float.BYTES, a, 0, n * in);
        Arrays.fill(a, n * in, tiles * JvmMicroKernel.ROWS * in, 0.0f);
        JvmGemm.multiply(a, in, 1, tiles, w.panels(), in, p0, panels, c, ldc);
        store(c, ldc, b, y, r0, n, p0 * width, Math.min(ldc, out - p0 * width), out, epilogue);
    }

    /** {@code y[r0 + i, n0 + j] = epilogue(c[i, j] + b[n0 + j])} for i below {@code n}, j below {@code count}. */
    private static void store(float[] c, int ldc, FloatArray b, FloatArray y, int r0, int n, int n0, int count, int out, int epilogue) {
        MemorySegment bs = b.getSegment();
        MemorySegment ys = y.getSegment();
        int lanes = JvmVectors.S.length();
        int full = count - count % lanes;
        for (int i = 0; i < n; i++) {
            long row = ((long) (r0 + i) * out + n0) * Float.BYTES;
            for (int j = 0; j < full; j += lanes) {
                long at = row + (long) j * Float.BYTES;
                FloatVector v = FloatVector.fromArray(JvmVectors.S, c, i * ldc + j)
                        .add(FloatVector.fromMemorySegment(JvmVectors.S, bs, (long) (n0 + j) * Float.BYTES, JvmVectors.ORDER));
                if (epilogue == RESIDUAL) {
                    v = v.add(FloatVector.fromMemorySegment(JvmVectors.S, ys, at, JvmVectors.ORDER));
                } else if (epilogue == GELU) {
                    v = JvmGelu.gelu(v);
                }
                v.intoMemorySegment(ys, at, JvmVectors.ORDER);
            }
            // The tail one float at a time: masked segment accesses take a slow path unless every lane is set.
            for (int j = full; j < count; j++) {
                long at = row + (long) j * Float.BYTES;
                float v = c[i * ldc + j] + bs.get(ValueLayout.JAVA_FLOAT, (long) (n0 + j) * Float.BYTES);
                if (epilogue == RESIDUAL) {
                    v += ys.get(ValueLayout.JAVA_FLOAT, at);
                } else if (epilogue == GELU) {
                    v = JvmGelu.gelu(FloatVector.broadcast(JvmVectors.S, v)).lane(0);
                }
                ys.set(ValueLayout.JAVA_FLOAT, at, v);
            }
        }
    }
}
