package org.vitornado.runtime.jvm;

/**
 * The JVM's GEMM over one work-item's block: {@code C = A B} for {@code tiles} row tiles of A and {@code panels}
 * consecutive panels of a packed B ({@link JvmPackedWeights}' layout: panel p, row k at {@code b[(p * in + k) * width]}),
 * one {@link JvmMicroKernel} register tile at a time. k is walked in chunks of {@value #DEPTH} so that a panel's chunk
 * (32 KB on AVX-512) stays in L1 while every row tile passes over it; the accumulators go through C between chunks.
 */
final class JvmGemm {

    /** Reduction-dimension chunk. */
    static final int DEPTH = 128;

    private JvmGemm() {
    }

    /**
     * {@code c[t * ROWS + i, q * width + j] = sum_k A[t * ROWS + i, k] * B[k, (p0 + q) * width + j]} for t below
     * {@code tiles}, q below {@code panels}, k below {@code in}, where {@code A[r, k] = a[r * lda + k * kStride]} (row-major:
     * {@code kStride = 1}); C is row-major with stride {@code ldc}.
     */
    static void multiply(float[] a, int lda, int kStride, int tiles, float[] b, int in, int p0, int panels, float[] c, int ldc) {
        int width = JvmMicroKernel.width();
        int rows = JvmMicroKernel.ROWS;
        for (int k0 = 0; k0 < in; k0 += DEPTH) {
            int depth = Math.min(DEPTH, in - k0);
            for (int q = 0; q < panels; q++) {
                int bAt = ((p0 + q) * in + k0) * width;
                for (int t = 0; t < tiles; t++) {
                    if (kStride == 1) {
                        JvmMicroKernel.tile(a, t * rows * lda + k0, lda, b, bAt, depth, c, t * rows * ldc + q * width, ldc, k0 == 0);
                    } else {
                        JvmMicroKernel.tileStrided(a, t * rows * lda + k0 * kStride, lda, kStride, b, bAt, depth, c, t * rows * ldc + q * width, ldc, k0 == 0);
                    }
                }
            }
        }
    }
}
