package org.vitornado.runtime.jvm;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.vitornado.kernels.Grids;

import jdk.incubator.vector.FloatVector;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * {@code x = max(x, 0)} and {@code x = max(x + y, 0)} for the JVM backend only, the maths of
 * {@code ActivationKernels.reluInPlace} and {@code ElementwiseKernels.addReluInPlace} with SIMD vectors, spread over
 * every core (a {@code @Parallel} loop runs on one thread on the JVM).
 *
 * <p>Grid 1D: x = block of {@value #BLOCK} values; local 1.
 */
public final class JvmRelu {

    static final int BLOCK = 4096;

    private JvmRelu() {
    }

    public static WorkerGrid grid(int n) {
        return Grids.grid1D((n + BLOCK - 1) / BLOCK, 1);
    }

    /** {@code x[i] = max(x[i], 0)} for this block's values of the first {@code n}. */
    public static void reluInPlace(KernelContext ctx, FloatArray x, int n) {
        MemorySegment s = x.getSegment();
        int start = ctx.globalIdx * BLOCK;
        int end = Math.min(start + BLOCK, n);
        int lanes = JvmVectors.S.length();
        int i = start;
        for (; i <= end - lanes; i += lanes) {
            long at = (long) i * Float.BYTES;
            FloatVector.fromMemorySegment(JvmVectors.S, s, at, JvmVectors.ORDER).max(0f).intoMemorySegment(s, at, JvmVectors.ORDER);
        }
        for (; i < end; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, Math.max(s.getAtIndex(ValueLayout.JAVA_FLOAT, i), 0f));
        }
    }

    /** {@code x[i] = max(x[i] + y[i], 0)} for this block's values of the first {@code n}: a ResNet block's shortcut, then ReLU. */
    public static void addReluInPlace(KernelContext ctx, FloatArray x, FloatArray y, int n) {
        MemorySegment xs = x.getSegment();
        MemorySegment ys = y.getSegment();
        int start = ctx.globalIdx * BLOCK;
        int end = Math.min(start + BLOCK, n);
        int lanes = JvmVectors.S.length();
        int i = start;
        for (; i <= end - lanes; i += lanes) {
            long at = (long) i * Float.BYTES;
            FloatVector.fromMemorySegment(JvmVectors.S, xs, at, JvmVectors.ORDER).add(FloatVector.fromMemorySegment(JvmVectors.S, ys, at, JvmVectors.ORDER))
                    .max(0f).intoMemorySegment(xs, at, JvmVectors.ORDER);
        }
        for (; i < end; i++) {
            xs.setAtIndex(ValueLayout.JAVA_FLOAT, i, Math.max(xs.getAtIndex(ValueLayout.JAVA_FLOAT, i) + ys.getAtIndex(ValueLayout.JAVA_FLOAT, i), 0f));
        }
    }
}
