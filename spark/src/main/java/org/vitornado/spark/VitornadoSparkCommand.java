package org.vitornado.spark;

import org.vitornado.cli.VitornadoCommand;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** The top of the command tree: {@code vitornado-spark COMMAND}. */
@Command(name = "vitornado-spark", mixinStandardHelpOptions = true, versionProvider = VitornadoCommand.Version.class,
        description = "vitornado's classify, segment and detect as Apache Spark jobs: one row per image in a Parquet table.",
        commandListHeading = "%nCommands:%n",
        footer = {"", "Local mode (local[N]) by default; under spark-submit, the master it was given. Run 'vitornado-spark help COMMAND' for a command's options."},
        subcommands = {ClassifyJobCommand.class, SegmentJobCommand.class, DetectJobCommand.class, HelpCommand.class})
final class VitornadoSparkCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command");
    }
}
