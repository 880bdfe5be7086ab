package org.vitornado.cli;

import java.io.PrintStream;

/** One subcommand of {@code vitornado}. */
interface Command {

    String name();

    /** One line for the command list. */
    String summary();

    /** The full usage text shown by {@code --help}. */
    String usage();

    /** Runs with the arguments after the command name; returns the exit code. */
    int run(String[] args, PrintStream out) throws Exception;
}
