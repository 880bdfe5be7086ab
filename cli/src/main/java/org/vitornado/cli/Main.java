package org.vitornado.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code vitornado COMMAND [options]}: the command line, a client of the Java API ({@code org.vitornado.api}).
 *
 * <p>Every failure is one line on stderr, {@code vitornado CMD: what is wrong and what to do}, with exit code 2; a
 * usage error (an unknown option, a missing or malformed value) adds the command's synopsis. A failed check
 * ({@code verify} over tolerance) exits 1. No Java class names, no stack traces (unless
 * {@code -Dvitornado.stacktrace=true}).
 */
public final class Main {

    /** Exit codes. */
    public static final int OK = 0;
    static final int CHECK_FAILED = 1;
    public static final int ERROR = 2;

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs one command line; returns the exit code. */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        return run(commandLine(), argv, out, err);
    }

    /** Runs one command line of {@code cli} (a command tree made by {@link #commandLine(Object)}). */
    public static int run(CommandLine cli, String[] argv, PrintStream out, PrintStream err) {
        PrintWriter o = new PrintWriter(new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        PrintWriter e = new PrintWriter(new java.io.OutputStreamWriter(err, StandardCharsets.UTF_8), true);
        cli.setOut(o);
        cli.setErr(e);
        if (argv.length == 0) {
            cli.usage(e);
            e.flush();
            return ERROR;
        }
        try {
            return cli.execute(argv);
        } finally {
            o.flush();
            e.flush();
        }
    }

    /** The command tree with vitornado's error handling. */
    static CommandLine commandLine() {
        return commandLine(new VitornadoCommand());
    }

    /** A command tree rooted at {@code root} (vitornado's, or the Spark job's) with vitornado's error handling. */
    public static CommandLine commandLine(Object root) {
        CommandLine cli = new CommandLine(root);
        cli.setUsageHelpAutoWidth(false);
        // An unknown option after --image a.png is a typo to report, not another image.
        cli.setUnmatchedOptionsAllowedAsOptionParameters(false);
        cli.setUsageHelpWidth(110);
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionExceptionHandler((ex, line, parsed) -> failure(ex, line));
        return cli;
    }

    /** A usage error: one line, the command's synopsis, and where the full help is. */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine line = ex.getCommandLine();
        PrintWriter err = line.getErr();
        String command = qualifiedName(line);
        err.println(command + ": " + usageMessage(ex, line, java.util.List.of(args)));
        err.print(line.getHelp().synopsis(0).replaceFirst("^", "Usage: "));
        String root = line.getCommandSpec().root().name();
        err.println(line.getParent() == null ? "Run '" + root + " help' for the commands."
                : "Run '" + root + " help " + line.getCommandName() + "' for its options.");
        return ERROR;
    }

    private static String usageMessage(ParameterException ex, CommandLine line, java.util.List<String> args) {
        // picocli reports a missing option (or a missing value) before an unknown one; the unknown one, a typo
        // usually, says more.
        String unknown = unknownOption(line, args);
        if (unknown != null) {
            return unknown;
        }
        if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String arg = u.getUnmatched().get(0);
            String hint = u.getSuggestions().isEmpty() ? "" : " (did you mean " + String.join(" or ", u.getSuggestions()) + "?)";
            if (line.getParent() == null && !arg.startsWith("-")) {
                return "unknown command '" + arg + "'" + (hint.isEmpty() ? " (commands: " + String.join(", ", line.getSubcommands().keySet()) + ")" : hint);
            }
            return arg.startsWith("-") ? "unknown option " + arg + hint : "unexpected argument '" + arg + "'";
        }
        if (ex instanceof CommandLine.MissingParameterException m && !m.getMissing().isEmpty()) {
            return m.getMissing().stream().map(a -> a instanceof CommandLine.Model.OptionSpec opt
                    ? opt.longestName() + (args.contains(opt.longestName()) ? " needs a value" : " is required")
                    : "a value is required").reduce((a, b) -> a + "; " + b).orElse(ex.getMessage());
        }
        return ex.getMessage().replace("Invalid value for option ", "").replace("'--", "--").replaceFirst("^(--[a-z-]+)': ", "$1: ")
                .replace(" is not an int", " is not a whole number");
    }

    /** {@code unknown option --modle (did you mean --model?)} for the first option the command does not have, or null. */
    private static String unknownOption(CommandLine line, java.util.List<String> args) {
        if (args == null) {
            return null;
        }
        var options = line.getCommandSpec().optionsMap();
        for (String a : args) {
            if (!a.startsWith("--") || a.equals("--")) {
                continue;
            }
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (options.containsKey(name) || line.getSubcommands().containsKey(name)) {
                continue;
            }
            // The known option sharing the longest start with it: --modle -> --model, --skip -> --skip-existing.
            String closest = null;
            int best = 4;
            for (String known : options.keySet()) {
                int common = 0;
                while (common < Math.min(name.length(), known.length()) && name.charAt(common) == known.charAt(common)) {
                    common++;
                }
                if (common > best) {
                    best = common;
                    closest = known;
                }
            }
            return "unknown option " + name + (closest != null ? " (did you mean " + closest + "?)" : "");
        }
        return null;
    }

    /** Anything a command throws: one line naming the command, exit 2. */
    private static int failure(Exception ex, CommandLine line) {
        PrintWriter err = line.getErr();
        err.println(qualifiedName(line) + ": " + Failures.describe(ex));
        if (Boolean.getBoolean("vitornado.stacktrace")) {
            ex.printStackTrace(err);
        }
        return ERROR;
    }

    /** {@code vitornado classify}. */
    static String qualifiedName(CommandLine line) {
        String root = line.getCommandSpec().root().name();
        return line.getParent() == null ? root : root + " " + line.getCommandName();
    }
}
