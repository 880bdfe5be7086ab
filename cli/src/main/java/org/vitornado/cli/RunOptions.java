package org.vitornado.cli;

import org.vitornado.api.Options;
import org.vitornado.runtime.Backend;
import org.vitornado.runtime.DeviceId;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.Precision;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --backend} and {@code --device}: where the commands that run a model run it. */
public final class RunOptions {

    @Option(names = "--backend", paramLabel = "jvm|tornado", converter = BackendConverter.class,
            description = "where kernels run (default: this process's; bin/vitornado starts the tornado launcher for tornado and plain java for jvm)")
    public Backend backend;

    @Option(names = "--device", paramLabel = "B:N", defaultValue = "0", converter = DeviceConverter.class,
            description = "TornadoVM device as `tornado --devices` lists it, BACKEND:N, or N for device N of backend 0 (default 0)")
    public DeviceId device;

    @Option(names = "--precision", paramLabel = "fp32|fp16", defaultValue = "fp32", converter = PrecisionConverter.class,
            description = "weights on the device: fp32 (default) or fp16 (linear layers' weights halved; GPUs, and the JVM for tests)")
    public Precision precision;

    /** The API's options with this backend, device and precision, and {@code batch}. */
    public Options options(int batch) {
        return Options.defaults().backend(backend).device(device).precision(precision).batch(batch);
    }

    /** The low-level options of the commands that build plans themselves ({@code plan}, {@code verify}). */
    ExecutionOptions execution(boolean profile) {
        return new ExecutionOptions(backend != null ? backend : Backend.detect(), device, profile, precision);
    }

    /** {@code fp32} or {@code fp16}. */
    static final class PrecisionConverter implements ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return Precision.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code N} or {@code B:N}. */
    static final class DeviceConverter implements ITypeConverter<DeviceId> {
        @Override
        public DeviceId convert(String value) {
            try {
                return DeviceId.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code jvm} or {@code tornado}. */
    static final class BackendConverter implements ITypeConverter<Backend> {
        @Override
        public Backend convert(String value) {
            try {
                return Backend.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected jvm or tornado, got '" + value + "'");
            }
        }
    }
}
