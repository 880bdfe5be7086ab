package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** The register tile the JVM kernels share: 16 dot products of 4 vectors of {@code a} with 4 of {@code b}. */
final class JvmTiles {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private JvmTiles() {
    }

    /**
     * acc[i*4 + j] = a_i . b_j over {@code len} floats, where a_i starts at byte {@code ai} of {@code a} and b_j at
     * byte {@code bj} of {@code b}: 16 accumulators of one SIMD vector each, one FMA per loaded pair, lanes summed at
     * the end, a scalar tail for {@code len} not a multiple of the vector length.
     */
    static void dot4x4(MemorySegment a, long a0, long a1, long a2, long a3, MemorySegment b, long b0, long b1, long b2, long b3, int len,
            float[] acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        int bound = S.loopBound(len);
        int k = 0;
        for (; k < bound; k += S.length()) {
            long off = (long) k * Float.BYTES;
            FloatVector v0 = FloatVector.fromMemorySegment(S, a, a0 + off, ORDER);
            FloatVector v1 = FloatVector.fromMemorySegment(S, a, a1 + off, ORDER);
            FloatVector v2 = FloatVector.fromMemorySegment(S, a, a2 + off, ORDER);
            FloatVector v3 = FloatVector.fromMemorySegment(S, a, a3 + off, ORDER);
            FloatVector u = FloatVector.fromMemorySegment(S, b, b0 + off, ORDER);
            c00 = v0.fma(u, c00);
            c10 = v1.fma(u, c10);
            c20 = v2.fma(u, c20);
            c30 = v3.fma(u, c30);
            u = FloatVector.fromMemorySegment(S, b, b1 + off, ORDER);
            c01 = v0.fma(u, c01);
            c11 = v1.fma(u, c11);
            c21 = v2.fma(u, c21);
            c31 = v3.fma(u, c31);
            u = FloatVector.fromMemorySegment(S, b, b2 + off, ORDER);
            c02 = v0.fma(u, c02);
            c12 = v1.fma(u, c12);
            c22 = v2.fma(u, c22);
            c32 = v3.fma(u, c32);
            u = FloatVector.fromMemorySegment(S, b, b3 + off, ORDER);
            c03 = v0.fma(u, c03);
            c13 = v1.fma(u, c13);
            c23 = v2.fma(u, c23);
            c33 = v3.fma(u, c33);
        }
        acc[0] = c00.reduceLanes(VectorOperators.ADD);
        acc[1] = c01.reduceLanes(VectorOperators.ADD);
        acc[2] = c02.reduceLanes(VectorOperators.ADD);
        acc[3] = c03.reduceLanes(VectorOperators.ADD);
        acc[4] = c10.reduceLanes(VectorOperators.ADD);
        acc[5] = c11.reduceLanes(VectorOperators.ADD);
        acc[6] = c12.reduceLanes(VectorOperators.ADD);
        acc[7] = c13.reduceLanes(VectorOperators.ADD);
        acc[8] = c20.reduceLanes(VectorOperators.ADD);
        acc[9] = c21.reduceLanes(VectorOperators.ADD);
        acc[10] = c22.reduceLanes(VectorOperators.ADD);
        acc[11] = c23.reduceLanes(VectorOperators.ADD);
        acc[12] = c30.reduceLanes(VectorOperators.ADD);
        acc[13] = c31.reduceLanes(VectorOperators.ADD);
        acc[14] = c32.reduceLanes(VectorOperators.ADD);
        acc[15] = c33.reduceLanes(VectorOperators.ADD);
        for (; k < len; k++) {
            long off = (long) k * Float.BYTES;
            float x0 = a.get(ValueLayout.JAVA_FLOAT_UNALIGNED, a0 + off);
            float x1 = a.get(ValueLayout.JAVA_FLOAT_UNALIGNED, a1 + off);
            float x2 = a.get(ValueLayout.JAVA_FLOAT_UNALIGNED, a2 + off);
            float x3 = a.get(ValueLayout.JAVA_FLOAT_UNALIGNED, a3 + off);
            for (int j = 0; j < 4; j++) {
                float y = b.get(ValueLayout.JAVA_FLOAT_UNALIGNED, (j == 0 ? b0 : j == 1 ? b1 : j == 2 ? b2 : b3) + off);
                acc[j] += x0 * y;
                acc[4 + j] += x1 * y;
                acc[8 + j] += x2 * y;
                acc[12 + j] += x3 * y;
            }
        }
    }
}
