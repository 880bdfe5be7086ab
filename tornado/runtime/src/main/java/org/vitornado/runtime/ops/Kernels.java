package org.vitornado.runtime.ops;

import uk.ac.manchester.tornado.api.KernelContext;

/**
 * Which version of each kernel a plan's tasks run, and the {@link KernelContext} they share. TornadoVM always gets
 * the portable kernels ({@code org.vitornado.kernels}); the JVM backend gets CPU versions of the hot ones
 * ({@code runtime.jvm}: blocked, Vector API) when {@code cpu} is set.
 */
public record Kernels(boolean cpu, KernelContext context) {
}
