package org.vitornado.spark;

import java.io.Serializable;
import java.util.Map;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.vitornado.api.Options;
import org.vitornado.runtime.Backend;
import org.vitornado.runtime.DeviceId;
import org.vitornado.runtime.Precision;

/**
 * Which model an executor opens, and how: what the driver ships to every task (the options' own types are not all
 * serialisable). On an executor given GPUs by Spark's resource scheduling ({@code spark.executor.resource.gpu.amount}),
 * a task runs on the GPU Spark assigned it: GPU address N is TornadoVM device N of the {@code --device} backend.
 *
 * @param model the {@code --model} argument: a checkpoint path every executor can read, or a preset
 * @param backend {@code jvm}, {@code tornado}, or null for the executor's own
 * @param height input height, 0 for the model's
 */
record ModelSpec(String model, String backend, String device, String precision, int batch, int height, int width) implements Serializable {

    static ModelSpec of(String model, Backend backend, DeviceId device, Precision precision, int batch, int height, int width) {
        return new ModelSpec(model, backend == null ? null : backend.cliName(), device.toString(), precision.cliName(), batch, height, width);
    }

    /** The device this task runs on: the GPU Spark gave the task, else {@code --device}. */
    DeviceId deviceOfThisTask() {
        DeviceId configured = DeviceId.parse(device);
        TaskContext task = TaskContext.get();
        if (task == null) {
            return configured;
        }
        Map<String, ResourceInformation> resources = task.resourcesJMap();
        ResourceInformation gpus = resources == null ? null : resources.get("gpu");
        if (gpus == null || gpus.addresses().length == 0) {
            return configured;
        }
        return new DeviceId(configured.backend(), Integer.parseInt(gpus.addresses()[0].trim()));
    }

    Options options(DeviceId on) {
        Options o = Options.defaults().device(on).precision(Precision.parse(precision)).batch(batch);
        if (backend != null) {
            o = o.backend(Backend.parse(backend));
        }
        return height > 0 ? o.size(height, width) : o;
    }
}
