package org.vitornado.runtime;

/**
 * How to run a model: on which backend, on which of its devices, and whether to collect TornadoVM's profile.
 *
 * @param backend  {@link Backend#JVM} or {@link Backend#TORNADO}; must match the API implementation this process loaded
 * @param device   device index within TornadoVM's first backend (0 on the JVM)
 * @param profile  collect per-task times through TornadoVM's profiler
 */
public record ExecutionOptions(Backend backend, int device, boolean profile) {

    public ExecutionOptions {
        if (device < 0) {
            throw new IllegalArgumentException("--device must be >= 0, got " + device);
        }
    }

    /** The backend this process can run, device 0, no profiling. */
    public static ExecutionOptions defaults() {
        return new ExecutionOptions(Backend.detect(), 0, false);
    }
}
