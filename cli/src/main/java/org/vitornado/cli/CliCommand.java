package org.vitornado.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What every subcommand shares: where it prints, and how it reports a usage error. */
abstract class CliCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A usage error about this command's options: reported with the synopsis, exit 2. */
    ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code vitornado classify}: how errors and progress lines start. */
    String name() {
        return Main.qualifiedName(spec.commandLine());
    }
}
