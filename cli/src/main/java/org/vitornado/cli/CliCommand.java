package org.vitornado.cli;

import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What every subcommand shares: where it prints, and how it reports a usage error. */
public abstract class CliCommand implements Callable<Integer> {

    @Spec
    protected CommandSpec spec;

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** A usage error about this command's options: reported with the synopsis, exit 2. */
    protected ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** {@code vitornado classify}: how errors and progress lines start. */
    protected String name() {
        return Main.qualifiedName(spec.commandLine());
    }

    /** {@code --classes 3,road}: indexes or label names; {@code null} for every class. */
    protected Set<Integer> parseClasses(String spec, Map<Integer, String> labels, int count) {
        if (spec == null) {
            return null;
        }
        Set<Integer> out = new LinkedHashSet<>();
        for (String part : spec.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            Integer k = null;
            if (s.matches("\\d{1,9}")) {
                k = Integer.parseInt(s);
            } else {
                for (var e : labels.entrySet()) {
                    if (e.getValue().equalsIgnoreCase(s)) {
                        k = e.getKey();
                    }
                }
            }
            if (k == null || k >= count) {
                throw usage("--classes: '" + s + "' is not a class of this model (0.." + (count - 1) + (labels.isEmpty() ? "" : " or a label name") + ")");
            }
            out.add(k);
        }
        return out;
    }
}
