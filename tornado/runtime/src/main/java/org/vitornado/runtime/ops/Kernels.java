package org.vitornado.runtime.ops;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.vitornado.runtime.jvm.JvmPackedWeights;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.types.HalfFloat;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;

/**
 * Which version of each kernel a plan's tasks run, and the {@link KernelContext} they share.
 *
 * @param cpu         the JVM backend's CPU versions of the hot kernels ({@code runtime.jvm}: blocked, Vector API)
 * @param gpuVersions the GPU versions (version 2: local-memory tiles, work-group reductions) where a kernel has one and
 *                    the device has the local memory and work-group size it needs; otherwise the portable first
 *                    versions
 * @param halfWeights linear layers read fp16 copies of their weights ({@code --precision fp16})
 * @param context     the kernels' shared {@link KernelContext}
 * @param halves      the fp16 copy of each weight array converted so far (one per array, however many tasks use it)
 * @param packs       the JVM GEMM's packed copy of each weight array packed so far (one per array)
 */
public record Kernels(boolean cpu, boolean gpuVersions, boolean halfWeights, KernelContext context, Map<FloatArray, HalfFloatArray> halves,
        Map<FloatArray, JvmPackedWeights> packs) {

    public Kernels {
        if (cpu && (gpuVersions || halfWeights)) {
            throw new IllegalArgumentException("the JVM's CPU kernels are float32 and CPU-shaped: not with the GPU versions or fp16 weights");
        }
    }

    public Kernels(boolean cpu, boolean gpuVersions, boolean halfWeights, KernelContext context) {
        this(cpu, gpuVersions, halfWeights, context, new IdentityHashMap<>(), new IdentityHashMap<>());
    }

    /** {@code weights} rounded to fp16 (round to nearest even), converted once per array. */
    public HalfFloatArray half(FloatArray weights) {
        return halves.computeIfAbsent(weights, w -> {
            HalfFloatArray h = new HalfFloatArray(w.getSize());
            for (int i = 0; i < w.getSize(); i++) {
                h.set(i, new HalfFloat(w.get(i)));
            }
            return h;
        });
    }

    /** {@code weights}, a {@code [out, in]} matrix, in the JVM GEMM's panel layout, packed once per array. */
    public JvmPackedWeights packed(FloatArray weights, int in, int out) {
        return packed(weights, w -> JvmPackedWeights.pack(w, in, out));
    }

    /** {@code weights} packed by {@code pack} (a convolution's order), once per array. */
    public JvmPackedWeights packed(FloatArray weights, Function<FloatArray, JvmPackedWeights> pack) {
        return packs.computeIfAbsent(weights, pack);
    }

    /**
     * {@code arrays} with {@code weights} replaced by {@code copy}: the reads of a task that takes a converted copy of its
     * weights (fp16, or the JVM GEMM's packed panels) instead of the weights themselves.
     */
    public static List<Object> replacing(List<Object> arrays, FloatArray weights, Object copy) {
        return arrays.stream().map(a -> a == weights ? copy : a).toList();
    }
}
