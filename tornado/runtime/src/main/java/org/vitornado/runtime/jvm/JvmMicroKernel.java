package org.vitornado.runtime.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tile of the JVM's GEMM, as BLIS and ONNX Runtime's MLAS build theirs:
 * {@code C[6 x width] (+)= A[6 x depth] . B[depth x width]}, where {@code width} is four SIMD vectors (64 floats on
 * AVX-512). At each k it loads B's row at k as four vectors, broadcasts each of A's six values at k, and issues
 * 6 x 4 FMAs into 24 vector accumulators that stay in registers for the whole loop (AVX-512 has 32: 24 + 4 + 1
 * broadcast). Every loaded vector feeds six FMAs and every broadcast four, and no lanes are summed at the end.
 *
 * <p>Operands are Java heap arrays: A row-major with stride {@code lda}, B a packed panel ({@link JvmPackedWeights},
 * {@code width} floats per k), C row-major with stride {@code ldc}.
 */
final class JvmMicroKernel {

    static final VectorSpecies<Float> S = JvmVectors.S;
    /** Rows of A (and C) per tile. */
    static final int ROWS = 6;

    private JvmMicroKernel() {
    }

    /** Columns of B (and C) per tile: four vectors. */
    static int width() {
        return 4 * S.length();
    }

    /**
     * {@code c[i, j] = (first ? 0 : c[i, j]) + sum_{k < depth} a[aAt + i * lda + k] * b[bAt + k * width + j]} for i below
     * {@value #ROWS}, j below {@link #width()}; c[i, j] is {@code c[cAt + i * ldc + j]}: A row-major. With A's index
     * linear in k at a constant stride, C2 checks its bounds once before the loop instead of six times per k (the
     * general {@link #tileStrided} does), a few percent faster in a one-thread harness.
     */
    static void tile(float[] a, int aAt, int lda, float[] b, int bAt, int depth, float[] c, int cAt, int ldc, boolean first) {
        int lanes = S.length();
        int width = 4 * lanes;
        int c1 = cAt + ldc, c2 = cAt + 2 * ldc, c3 = cAt + 3 * ldc, c4 = cAt + 4 * ldc, c5 = cAt + 5 * ldc;
        FloatVector c00 = start(c, cAt, first), c01 = start(c, cAt + lanes, first), c02 = start(c, cAt + 2 * lanes, first), c03 = start(c, cAt + 3 * lanes, first);
        FloatVector c10 = start(c, c1, first), c11 = start(c, c1 + lanes, first), c12 = start(c, c1 + 2 * lanes, first), c13 = start(c, c1 + 3 * lanes, first);
        FloatVector c20 = start(c, c2, first), c21 = start(c, c2 + lanes, first), c22 = start(c, c2 + 2 * lanes, first), c23 = start(c, c2 + 3 * lanes, first);
        FloatVector c30 = start(c, c3, first), c31 = start(c, c3 + lanes, first), c32 = start(c, c3 + 2 * lanes, first), c33 = start(c, c3 + 3 * lanes, first);
        FloatVector c40 = start(c, c4, first), c41 = start(c, c4 + lanes, first), c42 = start(c, c4 + 2 * lanes, first), c43 = start(c, c4 + 3 * lanes, first);
        FloatVector c50 = start(c, c5, first), c51 = start(c, c5 + lanes, first), c52 = start(c, c5 + 2 * lanes, first), c53 = start(c, c5 + 3 * lanes, first);
        int a1 = aAt + lda, a2 = aAt + 2 * lda, a3 = aAt + 3 * lda, a4 = aAt + 4 * lda, a5 = aAt + 5 * lda;
        for (int k = 0; k < depth; k++) {
            int p = bAt + k * width;
            FloatVector b0 = FloatVector.fromArray(S, b, p);
            FloatVector b1 = FloatVector.fromArray(S, b, p + lanes);
            FloatVector b2 = FloatVector.fromArray(S, b, p + 2 * lanes);
            FloatVector b3 = FloatVector.fromArray(S, b, p + 3 * lanes);
            FloatVector x = FloatVector.broadcast(S, a[aAt + k]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(S, a[a1 + k]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(S, a[a2 + k]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(S, a[a3 + k]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
            x = FloatVector.broadcast(S, a[a4 + k]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41); c42 = b2.fma(x, c42); c43 = b3.fma(x, c43);
            x = FloatVector.broadcast(S, a[a5 + k]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51); c52 = b2.fma(x, c52); c53 = b3.fma(x, c53);
        }
        c00.intoArray(c, cAt); c01.intoArray(c, cAt + lanes); c02.intoArray(c, cAt + 2 * lanes); c03.intoArray(c, cAt + 3 * lanes);
        c10.intoArray(c, c1); c11.intoArray(c, c1 + lanes); c12.intoArray(c, c1 + 2 * lanes); c13.intoArray(c, c1 + 3 * lanes);
        c20.intoArray(c, c2); c21.intoArray(c, c2 + lanes); c22.intoArray(c, c2 + 2 * lanes); c23.intoArray(c, c2 + 3 * lanes);
        c30.intoArray(c, c3); c31.intoArray(c, c3 + lanes); c32.intoArray(c, c3 + 2 * lanes); c33.intoArray(c, c3 + 3 * lanes);
        c40.intoArray(c, c4); c41.intoArray(c, c4 + lanes); c42.intoArray(c, c4 + 2 * lanes); c43.intoArray(c, c4 + 3 * lanes);
        c50.intoArray(c, c5); c51.intoArray(c, c5 + lanes); c52.intoArray(c, c5 + 2 * lanes); c53.intoArray(c, c5 + 3 * lanes);
    }

    /**
     * {@code c[i, j] = (first ? 0 : c[i, j]) + sum_{k < depth} a[aAt + i * lda + k * kStride] * b[bAt + k * width + j]}
     * for i below {@value #ROWS}, j below {@link #width()}; c[i, j] is {@code c[cAt + i * ldc + j]}. A is row-major with
     * {@code kStride = 1}, or column-major with {@code lda = 1} (attention's transposed scores); row-major A is faster
     * through {@link #tile}.
     */
    static void tileStrided(float[] a, int aAt, int lda, int kStride, float[] b, int bAt, int depth, float[] c, int cAt, int ldc, boolean first) {
        int lanes = S.length();
        int width = 4 * lanes;
        int c1 = cAt + ldc, c2 = cAt + 2 * ldc, c3 = cAt + 3 * ldc, c4 = cAt + 4 * ldc, c5 = cAt + 5 * ldc;
        FloatVector c00 = start(c, cAt, first), c01 = start(c, cAt + lanes, first), c02 = start(c, cAt + 2 * lanes, first), c03 = start(c, cAt + 3 * lanes, first);
        FloatVector c10 = start(c, c1, first), c11 = start(c, c1 + lanes, first), c12 = start(c, c1 + 2 * lanes, first), c13 = start(c, c1 + 3 * lanes, first);
        FloatVector c20 = start(c, c2, first), c21 = start(c, c2 + lanes, first), c22 = start(c, c2 + 2 * lanes, first), c23 = start(c, c2 + 3 * lanes, first);
        FloatVector c30 = start(c, c3, first), c31 = start(c, c3 + lanes, first), c32 = start(c, c3 + 2 * lanes, first), c33 = start(c, c3 + 3 * lanes, first);
        FloatVector c40 = start(c, c4, first), c41 = start(c, c4 + lanes, first), c42 = start(c, c4 + 2 * lanes, first), c43 = start(c, c4 + 3 * lanes, first);
        FloatVector c50 = start(c, c5, first), c51 = start(c, c5 + lanes, first), c52 = start(c, c5 + 2 * lanes, first), c53 = start(c, c5 + 3 * lanes, first);
        int a1 = aAt + lda, a2 = aAt + 2 * lda, a3 = aAt + 3 * lda, a4 = aAt + 4 * lda, a5 = aAt + 5 * lda;
        for (int k = 0, ak = 0; k < depth; k++, ak += kStride) {
            int p = bAt + k * width;
            FloatVector b0 = FloatVector.fromArray(S, b, p);
            FloatVector b1 = FloatVector.fromArray(S, b, p + lanes);
            FloatVector b2 = FloatVector.fromArray(S, b, p + 2 * lanes);
            FloatVector b3 = FloatVector.fromArray(S, b, p + 3 * lanes);
            FloatVector x = FloatVector.broadcast(S, a[aAt + ak]);
            c00 = b0.fma(x, c00); c01 = b1.fma(x, c01); c02 = b2.fma(x, c02); c03 = b3.fma(x, c03);
            x = FloatVector.broadcast(S, a[a1 + ak]);
            c10 = b0.fma(x, c10); c11 = b1.fma(x, c11); c12 = b2.fma(x, c12); c13 = b3.fma(x, c13);
            x = FloatVector.broadcast(S, a[a2 + ak]);
            c20 = b0.fma(x, c20); c21 = b1.fma(x, c21); c22 = b2.fma(x, c22); c23 = b3.fma(x, c23);
            x = FloatVector.broadcast(S, a[a3 + ak]);
            c30 = b0.fma(x, c30); c31 = b1.fma(x, c31); c32 = b2.fma(x, c32); c33 = b3.fma(x, c33);
            x = FloatVector.broadcast(S, a[a4 + ak]);
            c40 = b0.fma(x, c40); c41 = b1.fma(x, c41); c42 = b2.fma(x, c42); c43 = b3.fma(x, c43);
            x = FloatVector.broadcast(S, a[a5 + ak]);
            c50 = b0.fma(x, c50); c51 = b1.fma(x, c51); c52 = b2.fma(x, c52); c53 = b3.fma(x, c53);
        }
        c00.intoArray(c, cAt); c01.intoArray(c, cAt + lanes); c02.intoArray(c, cAt + 2 * lanes); c03.intoArray(c, cAt + 3 * lanes);
        c10.intoArray(c, c1); c11.intoArray(c, c1 + lanes); c12.intoArray(c, c1 + 2 * lanes); c13.intoArray(c, c1 + 3 * lanes);
        c20.intoArray(c, c2); c21.intoArray(c, c2 + lanes); c22.intoArray(c, c2 + 2 * lanes); c23.intoArray(c, c2 + 3 * lanes);
        c30.intoArray(c, c3); c31.intoArray(c, c3 + lanes); c32.intoArray(c, c3 + 2 * lanes); c33.intoArray(c, c3 + 3 * lanes);
        c40.intoArray(c, c4); c41.intoArray(c, c4 + lanes); c42.intoArray(c, c4 + 2 * lanes); c43.intoArray(c, c4 + 3 * lanes);
        c50.intoArray(c, c5); c51.intoArray(c, c5 + lanes); c52.intoArray(c, c5 + 2 * lanes); c53.intoArray(c, c5 + 3 * lanes);
    }

    private static FloatVector start(float[] c, int at, boolean first) {
        return first ? FloatVector.zero(S) : FloatVector.fromArray(S, c, at);
    }
}
