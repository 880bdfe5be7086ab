package org.vitornado.runtime;

import java.util.Objects;

/**
 * How to run a model: on which backend, on which of its devices, and whether to collect TornadoVM's profile.
 *
 * @param backend  {@link Backend#JVM} or {@link Backend#TORNADO}; must match the API implementation this process loaded
 * @param device   TornadoVM's {@code backend:device} ({@link DeviceId#DEFAULT} on the JVM)
 * @param profile  collect per-task times through TornadoVM's profiler
 * @param precision how the device keeps the weights ({@link Precision#FP16}: linear layers' weights in fp16)
 */
public record ExecutionOptions(Backend backend, DeviceId device, boolean profile, Precision precision) {

    public ExecutionOptions {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(precision, "precision");
    }

    /** float32 weights. */
    public ExecutionOptions(Backend backend, DeviceId device, boolean profile) {
        this(backend, device, profile, Precision.FP32);
    }

    public ExecutionOptions withPrecision(Precision p) {
        return new ExecutionOptions(backend, device, profile, p);
    }

    /** The backend this process can run, TornadoVM's default device, no profiling. */
    public static ExecutionOptions defaults() {
        return new ExecutionOptions(Backend.detect(), DeviceId.DEFAULT, false);
    }

    /** The TornadoVM device these options select. */
    public uk.ac.manchester.tornado.api.common.TornadoDevice tornadoDevice() {
        return uk.ac.manchester.tornado.api.TornadoExecutionPlan.getDevice(device.backend(), device.index());
    }
}
