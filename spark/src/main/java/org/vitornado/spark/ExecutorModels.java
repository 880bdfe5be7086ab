package org.vitornado.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.vitornado.api.Options;
import org.vitornado.api.VisionModel;
import org.vitornado.runtime.DeviceId;

/**
 * The models an executor has open: one per model and device, loaded (weights to the device, plan compiled) by the
 * first task that needs it and kept for every later task and wave of the job. Concurrent tasks of one executor share
 * it: {@link VisionModel}'s methods take turns, so while one task's batch runs, the others decode and hash theirs.
 * On the JVM backend one batch already uses every core; on a GPU, one plan per device is what fits.
 */
final class ExecutorModels {

    private static final Map<String, VisionModel> OPEN = new ConcurrentHashMap<>();

    private ExecutorModels() {
    }

    /** The model for this task, opened (and prepared, if {@code prepare}) on first use. */
    static VisionModel get(ModelSpec spec, boolean prepare) {
        DeviceId device = spec.deviceOfThisTask();
        Options options = spec.options(device);
        return OPEN.computeIfAbsent(spec + "@" + device, k -> {
            // TornadoVM finds its backends with ServiceLoader on the thread's context class loader; a Spark task's
            // is the loader of the application jar, through which the backends in the JVM's modules are not found.
            Thread thread = Thread.currentThread();
            ClassLoader taskLoader = thread.getContextClassLoader();
            thread.setContextClassLoader(ClassLoader.getSystemClassLoader());
            try {
                VisionModel m = VisionModel.load(spec.model(), options);
                if (prepare) {
                    m.prepare();
                }
                return m;
            } finally {
                thread.setContextClassLoader(taskLoader);
            }
        });
    }

    /** Closes every model this JVM opened (the driver in local mode, at the end of a job). */
    static void closeAll() {
        for (String key : OPEN.keySet()) {
            VisionModel m = OPEN.remove(key);
            if (m != null) {
                m.close();
            }
        }
    }
}
