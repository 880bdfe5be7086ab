package org.vitornado.api;

import org.vitornado.model.io.Limits;
import org.vitornado.model.io.ModelException;
import org.vitornado.runtime.Backend;
import org.vitornado.runtime.DeviceId;
import org.vitornado.runtime.Precision;

/**
 * How a {@link VisionModel} runs: where, on how many images at once, at what input size. Immutable; the
 * {@code with...} methods return a copy.
 *
 * <pre>{@code Options.defaults().backend(Backend.JVM).batch(16)}</pre>
 *
 * @param backend {@link Backend#JVM} (plain JDK, all cores) or {@link Backend#TORNADO} (the real TornadoVM, under its
 *                launcher); {@code null}: whichever this process has
 * @param device  TornadoVM's {@code backend:device} ({@code tornado --devices}); {@code 0:0} on the JVM
 * @param batch   images per execution at most; fewer when fewer are given
 * @param height  input height; 0 for the model's own
 * @param width   input width; 0 for the model's own
 * @param precision how the device keeps the weights: {@link Precision#FP16} keeps the linear layers' weights in fp16
 *                (GPUs; our JVM API emulates it), {@link Precision#FP32} as loaded
 */
public record Options(Backend backend, DeviceId device, int batch, int height, int width, Precision precision) {

    public Options {
        if (device == null) {
            throw new ModelException("no device given");
        }
        if (precision == null) {
            throw new ModelException("no precision given");
        }
        Limits.check("batch", batch, 1, Limits.MAX_BATCH);
        if ((height == 0) != (width == 0)) {
            throw new ModelException("give both input height and width, or neither");
        }
        if (height != 0) {
            Limits.side("input height", height);
            Limits.side("input width", width);
        }
    }

    /** This process's backend, device 0, batches of up to 8, the model's input size. */
    public static Options defaults() {
        return new Options(null, DeviceId.DEFAULT, 8, 0, 0, Precision.FP32);
    }

    public Options backend(Backend b) {
        return new Options(b, device, batch, height, width, precision);
    }

    public Options device(DeviceId d) {
        return new Options(backend, d, batch, height, width, precision);
    }

    /** Device {@code index} of TornadoVM's first backend. */
    public Options device(int index) {
        try {
            return device(new DeviceId(0, index));
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage());
        }
    }

    public Options batch(int b) {
        return new Options(backend, device, b, height, width, precision);
    }

    /** Runs the model at {@code h x w} instead of its configured size (dense models; ViTs resample their position embedding). */
    public Options size(int h, int w) {
        return new Options(backend, device, batch, h, w, precision);
    }

    /** Weights in {@code p} on the device. */
    public Options precision(Precision p) {
        return new Options(backend, device, batch, height, width, p);
    }

    /** The backend that will run: {@link #backend} or, when unset, this process's. */
    public Backend resolvedBackend() {
        return backend != null ? backend : Backend.detect();
    }
}
