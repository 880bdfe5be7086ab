package org.vitornado.cli;

import org.vitornado.api.Options;
import org.vitornado.model.io.Limits;
import org.vitornado.runtime.Backend;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --backend} and {@code --device}: where the commands that run a model run it. */
final class RunOptions {

    @Option(names = "--backend", paramLabel = "jvm|tornado", converter = BackendConverter.class,
            description = "where kernels run (default: this process's; bin/vitornado starts the tornado launcher for tornado and plain java for jvm)")
    Backend backend;

    @Option(names = "--device", paramLabel = "N", defaultValue = "0", description = "TornadoVM device index (default 0; see `tornado --devices`)")
    int device;

    /** The API's options with this backend and device and {@code batch}. */
    Options options(int batch) {
        Limits.check("--device", device, 0, 1024);
        return Options.defaults().backend(backend).device(device).batch(batch);
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
