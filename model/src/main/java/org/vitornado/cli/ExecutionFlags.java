package org.vitornado.cli;

import java.io.PrintStream;
import java.util.Set;

import org.vitornado.runtime.Backend;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanRunner;

/** The {@code --backend} and {@code --device} options every running command shares. */
final class ExecutionFlags {

    static final Set<String> OPTIONS = Set.of("backend", "device");

    static final String USAGE = """
              --backend jvm|tornado  where kernels run (default: the one this process has; bin/vitornado picks the
                                     tornado launcher for 'tornado' and plain java for 'jvm')
              --device N             TornadoVM device index (default 0; see `tornado --devices`)
            """;

    private ExecutionFlags() {
    }

    static ExecutionOptions from(Args args, boolean profile) {
        Backend backend = args.has("backend") ? Backend.parse(args.get("backend", "")) : Backend.detect();
        return new ExecutionOptions(backend, args.integer("device", 0, 0), profile);
    }

    /** The options of {@code args}, after printing the one line that says where the command runs. */
    static ExecutionOptions announced(Args args, PrintStream out) {
        ExecutionOptions options = from(args, false);
        out.println("running on " + options.backend().cliName() + ", device " + options.device() + ": " + PlanRunner.describeDevice(options));
        return options;
    }
}
