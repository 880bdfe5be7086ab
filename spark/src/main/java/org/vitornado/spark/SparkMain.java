package org.vitornado.spark;

import java.io.PrintStream;

import org.vitornado.cli.Main;

/** {@code vitornado-spark}'s entry point: bin/vitornado-spark in local mode, or the main class of spark-submit. */
public final class SparkMain {

    private SparkMain() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs one command line; returns the exit code (0, or 2 with one line on stderr). */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        return Main.run(Main.commandLine(new VitornadoSparkCommand()), argv, out, err);
    }
}
