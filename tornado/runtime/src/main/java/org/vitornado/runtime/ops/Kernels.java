package org.vitornado.runtime.ops;

import uk.ac.manchester.tornado.api.KernelContext;

/**
 * Which version of each kernel a plan's tasks run, and the {@link KernelContext} they share.
 *
 * @param cpu   the JVM backend's CPU versions of the hot kernels ({@code runtime.jvm}: blocked, Vector API)
 * @param tiled the GPU versions (version 2: local-memory tiles, register blocks) where a kernel has one and the
 *              device has the local memory and work-group size it needs; otherwise the portable first versions
 */
public record Kernels(boolean cpu, boolean tiled, KernelContext context) {

    public Kernels {
        if (cpu && tiled) {
            throw new IllegalArgumentException("a plan runs either the JVM's CPU kernels or the GPU versions, not both");
        }
    }
}
