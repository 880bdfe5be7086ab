package org.vitornado.kernels.lintcases;

import java.util.function.IntUnaryOperator;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** One violation per method, for testing the kernel lint. Never run. */
public final class BadKernels {

    private static final float[] TABLE = {1, 2, 3};

    private BadKernels() {
    }

    public static void parallelFromOffset(FloatArray x, int start, int n) {
        for (@Parallel int i = start; i < n; i++) {
            x.set(i, 0);
        }
    }

    public static void allocates(FloatArray x) {
        x.set(0, new StringBuilder().length());
    }

    public static void variableArray(FloatArray x, int n) {
        float[] tmp = new float[n];
        x.set(0, tmp.length);
    }

    public static void throwsException(FloatArray x) {
        if (x.get(0) < 0) {
            throw new IllegalStateException();
        }
    }

    public static void lambda(FloatArray x) {
        IntUnaryOperator f = v -> v + 1;
        x.set(0, f.applyAsInt(1));
    }

    public static void bitCast(FloatArray x) {
        x.set(0, Float.floatToRawIntBits(x.get(0)));
    }

    public static void lookupTable(FloatArray x) {
        x.set(0, TABLE[1]);
    }

    public static void virtualCall(FloatArray x, Object o) {
        x.set(0, o.hashCode());
    }

    public static void foreignStatic(FloatArray x) {
        x.set(0, System.nanoTime());
    }

    public static void locks(FloatArray x) {
        synchronized (x) {
            x.set(0, 1);
        }
    }

    public static void reservedName(FloatArray x, int kernel) {
        x.set(0, kernel);
    }

    public static void passesPrivateArray(FloatArray x) {
        float[] acc = new float[4];
        fill(acc);
        x.set(0, acc[0]);
    }

    static void fill(float[] acc) {
        acc[0] = 1;
    }

    public static float recursive(float v) {
        return v <= 0 ? 0 : recursive(v - 1) + 1;
    }
}
