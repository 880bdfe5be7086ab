package org.vitornado.runtime.jvm;

/**
 * A JVM kernel's per-thread heap arrays, reused from work-item to work-item and grown on demand: {@code slots} arrays
 * per worker thread. The contents are whatever the thread's last work-item left there.
 */
final class JvmScratch {

    private final ThreadLocal<float[][]> perThread;

    JvmScratch(int slots) {
        perThread = ThreadLocal.withInitial(() -> new float[slots][0]);
    }

    /** This thread's array in {@code slot}, at least {@code size} floats long. */
    float[] get(int slot, int size) {
        float[][] arrays = perThread.get();
        if (arrays[slot].length < size) {
            arrays[slot] = new float[size];
        }
        return arrays[slot];
    }
}
