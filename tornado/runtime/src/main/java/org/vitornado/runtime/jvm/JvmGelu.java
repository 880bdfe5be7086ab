package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GELU over a run of floats with SIMD vectors: {@code ActivationKernels.gelu}'s formula (the erf series below 0.5,
 * 1 - erfc above, both evaluated and one selected per lane), so the JVM's fused linear+GELU matches the portable one.
 */
public final class JvmGelu {

    /** Elements per work-item of {@link #geluInPlace}. */
    static final int BLOCK = 4096;

    private JvmGelu() {
    }

    public static uk.ac.manchester.tornado.api.WorkerGrid grid(int n) {
        return org.vitornado.kernels.Grids.grid1D((n + BLOCK - 1) / BLOCK, 1);
    }

    /** {@code x = gelu(x)} over {@code n} values: the JVM's replacement of {@code ActivationKernels.geluInPlace}. */
    public static void geluInPlace(uk.ac.manchester.tornado.api.KernelContext ctx, uk.ac.manchester.tornado.api.types.arrays.FloatArray x,
            int n) {
        int start = ctx.globalIdx * BLOCK;
        apply(x.getSegment(), (long) start * Float.BYTES, Math.min(BLOCK, n - start));
    }

    /** {@code x = gelu(x)} for {@code len} floats from byte {@code offset} of {@code s}. */
    static void apply(MemorySegment s, long offset, int len) {
        int lanes = JvmVectors.S.length();
        int i = 0;
        for (; i <= len - lanes; i += lanes) {
            long at = offset + (long) i * Float.BYTES;
            gelu(FloatVector.fromMemorySegment(JvmVectors.S, s, at, JvmVectors.ORDER)).intoMemorySegment(s, at, JvmVectors.ORDER);
        }
        // The tail one float at a time: masked segment accesses take a slow path unless every lane is set.
        for (; i < len; i++) {
            long at = offset + (long) i * Float.BYTES;
            s.set(ValueLayout.JAVA_FLOAT, at, gelu(FloatVector.broadcast(JvmVectors.S, s.get(ValueLayout.JAVA_FLOAT, at))).lane(0));
        }
    }

    /** c[0] x^(n-1) + ... + c[n-1], by Horner's rule. */
    static FloatVector horner(FloatVector x, float... c) {
        FloatVector r = FloatVector.broadcast(JvmVectors.S, c[0]);
        for (int i = 1; i < c.length; i++) {
            r = r.fma(x, FloatVector.broadcast(JvmVectors.S, c[i]));
        }
        return r;
    }

    /** 0.5 x (1 + erf(x / sqrt 2)), lane-wise. */
    static FloatVector gelu(FloatVector x) {
        FloatVector z = x.mul(0.70710678118654752f);
        FloatVector ax = z.abs();
        FloatVector x2 = ax.mul(ax);
        FloatVector poly = horner(x2, 0.00010683761f, -0.00075757576f, 0.0046296296f, -0.0238095238f, 0.1f, -0.33333333333f, 1.0f);
        FloatVector series = ax.mul(1.1283791670955126f).mul(poly);
        FloatVector t = FloatVector.broadcast(JvmVectors.S, 1.0f).div(ax.fma(0.5f, 1.0f));
        FloatVector q = horner(t, 0.17087277f, -0.82215223f, 1.48851587f, -1.13520398f, 0.27886807f, -0.18628806f, 0.09678418f,
                0.37409196f, 1.00002368f, -1.26551223f);
        FloatVector erfc = t.mul(q.sub(x2).lanewise(VectorOperators.EXP));
        FloatVector y = series.blend(erfc.neg().add(1.0f), ax.compare(VectorOperators.GE, 0.5f));
        FloatVector erf = y.blend(y.neg(), z.compare(VectorOperators.LT, 0f));
        return x.mul(0.5f).mul(erf.add(1.0f));
    }
}
