package org.vitornado.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

import org.vitornado.model.io.ModelException;

/** {@code vitornado COMMAND [options]}: Vision Transformer inference on TornadoVM or the plain JVM. */
public final class Main {

    static final List<Command> COMMANDS = List.of(new ClassifyCommand(), new InfoCommand(), new PlanCommand(), new VerifyCommand(),
            new FeaturesCommand(), new SegmentCommand(), new BenchCommand());

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv, System.out, System.err));
    }

    /** Runs one command; returns the exit code (0 ok, 1 failed check, 2 bad usage or input). */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h") || argv[0].equals("help")) {
            out.print(overview());
            return argv.length == 0 ? 2 : 0;
        }
        Command command = COMMANDS.stream().filter(c -> c.name().equals(argv[0])).findFirst().orElse(null);
        if (command == null) {
            err.println("vitornado: unknown command '" + argv[0] + "'");
            err.print(overview());
            return 2;
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        if (Arrays.asList(rest).contains("--help") || Arrays.asList(rest).contains("-h")) {
            out.print(command.usage());
            return 0;
        }
        try {
            return command.run(rest, out);
        } catch (UsageException e) {
            err.println("vitornado " + e.getMessage());
            err.print(command.usage());
            return 2;
        } catch (ModelException | IllegalArgumentException | IllegalStateException e) {
            err.println("vitornado " + command.name() + ": " + e.getMessage());
            return 2;
        } catch (Exception | Error e) {
            // Anything else, an Error included (out of memory, TornadoVM's internal errors), is one line too.
            err.println("vitornado " + command.name() + ": " + describe(e));
            if (Boolean.getBoolean("vitornado.stacktrace")) {
                e.printStackTrace(err);
            } else {
                err.println("(run with -Dvitornado.stacktrace=true for the stack trace)");
            }
            return 2;
        }
    }

    /** One line for an unexpected failure: what happened, in words, and what to try for the common ones. */
    static String describe(Throwable e) {
        String name = e.getClass().getSimpleName();
        String message = e.getMessage() == null || e.getMessage().isBlank() ? "" : e.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
        if (e instanceof OutOfMemoryError) {
            return "out of memory (" + message + "): use a smaller --batch or --size, or give the JVM more (VITORNADO_JAVA_OPTS=\"-Xmx... "
                    + "-XX:MaxDirectMemorySize=...\")";
        }
        if (name.equals("TornadoOutOfMemoryException")) {
            return "the device is out of memory" + (message.isEmpty() ? "" : " (" + message + ")") + ": use a smaller --batch or --size";
        }
        if (e instanceof StackOverflowError) {
            return "stack overflow: the model is too deep for the thread's stack (VITORNADO_JAVA_OPTS=-Xss16m)";
        }
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such file: " + message;
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied: " + message;
        }
        if (name.startsWith("Tornado")) {
            return "TornadoVM failed (" + name + ")" + (message.isEmpty() ? "" : ": " + message);
        }
        return message.isEmpty() ? name : message;
    }

    static String overview() {
        StringBuilder sb = new StringBuilder("""
                vitornado: Vision Transformers on TornadoVM (GPU) or the plain JVM, same kernels.

                Usage: vitornado COMMAND [options]     (vitornado COMMAND --help for its options)

                Commands:
                """);
        for (Command c : COMMANDS) {
            sb.append(String.format("  %-10s %s%n", c.name(), c.summary()));
        }
        return sb.toString();
    }
}
