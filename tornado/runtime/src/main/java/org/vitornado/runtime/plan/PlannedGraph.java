package org.vitornado.runtime.plan;

import java.util.List;

/**
 * One task graph of a plan: its tasks and what crosses its boundary.
 *
 * @param consumed arrays the previous graph left on the device ({@code consumeFromDevice})
 * @param weights  arrays copied in on the first execution only (parameters)
 * @param inputs   arrays copied in on every execution (the image)
 * @param outputs  arrays copied back after every execution
 * @param persisted arrays left on the device for the next graph ({@code persistOnDevice})
 * @param nodes    TornadoVM graph nodes (an upper bound), against {@link GraphBudget#MAX_NODES}
 * @param codeBytes TornadoVM recorded code, against {@link GraphBudget#MAX_CODE_BYTES}
 * @param sections the plan sections it holds, first and last ({@code blocks.0}, {@code blocks.7})
 */
public record PlannedGraph(String name, List<Step> steps, List<Object> consumed, List<Object> weights, List<Object> inputs,
        List<Object> outputs, List<Object> persisted, int nodes, int codeBytes, String firstSection, String lastSection) {

    /** {@code blocks.0 .. blocks.7}, or one section's name. */
    public String sections() {
        return firstSection.equals(lastSection) ? firstSection : firstSection + " .. " + lastSection;
    }

    /**
     * Off-heap bytes of the arrays in {@code arrays} (float32 and other TornadoVM arrays), each counted once; the JVM's
     * packed weights count as the arrays they were packed from (their packed copies are on the Java heap).
     */
    public static long bytes(List<Object> arrays) {
        java.util.Set<Object> counted = Step.identitySet();
        long n = 0;
        for (Object o : arrays) {
            Object array = o instanceof org.vitornado.runtime.jvm.JvmPackedWeights w ? w.source() : o;
            if (array instanceof uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray a && counted.add(a)) {
                n += a.getNumBytesOfSegment();
            }
        }
        return n;
    }
}
