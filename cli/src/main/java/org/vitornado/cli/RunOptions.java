package org.vitornado.cli;

import org.vitornado.api.Options;
import org.vitornado.runtime.Backend;
import org.vitornado.runtime.DeviceId;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --backend} and {@code --device}: where the commands that run a model run it. */
final class RunOptions {

    @Option(names = "--backend", paramLabel = "jvm|tornado", converter = BackendConverter.class,
            description = "where kernels run (default: this process's; bin/vitornado starts the tornado launcher for tornado and plain java for jvm)")
    Backend backend;

    @Option(names = "--device", paramLabel = "B:N", defaultValue = "0", converter = DeviceConverter.class,
            description = "TornadoVM device as `tornado --devices` lists it, BACKEND:N, or N for device N of backend 0 (default 0)")
    DeviceId device;

    /** The API's options with this backend and device and {@code batch}. */
    Options options(int batch) {
        return Options.defaults().backend(backend).device(device).batch(batch);
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
