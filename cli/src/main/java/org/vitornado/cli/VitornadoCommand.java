package org.vitornado.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;

/** The top of the command tree: {@code vitornado [--version] COMMAND}. */
@Command(name = "vitornado", mixinStandardHelpOptions = true, versionProvider = VitornadoCommand.Version.class,
        description = "Vision Transformers on TornadoVM (GPU) or the plain JVM, same kernels.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Models: a checkpoint directory (model.safetensors + config.json), a .safetensors file next to its config,",
                "or a preset with random weights (" + org.vitornado.model.source.Presets.SUMMARY + ").",
                "Run 'vitornado help COMMAND' for a command's options."},
        subcommands = {ClassifyCommand.class, SegmentCommand.class, DetectCommand.class, FeaturesCommand.class, EvalCommand.class, InfoCommand.class,
                PlanCommand.class, KernelsCommand.class, BenchCommand.class, VerifyCommand.class, HelpCommand.class})
public final class VitornadoCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** {@code vitornado 0.1.0 (TornadoVM 5.2.0-jdk25 API; Java 25...)}. */
    public static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"vitornado " + p.getProperty("version", "(unknown)"),
                    "TornadoVM API " + p.getProperty("tornadovm", "?") + ", backend of this process: "
                            + org.vitornado.runtime.Backend.detect().cliName(),
                    "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
