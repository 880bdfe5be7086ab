package org.vitornado.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of one command: {@code --name value}, repeated values ({@code --image a.png b.png}) and
 * flags. Unknown options and missing values are errors that name the option.
 */
final class Args {

    private final String command;
    private final Map<String, List<String>> values = new LinkedHashMap<>();

    private Args(String command) {
        this.command = command;
    }

    /**
     * Parses {@code argv} for {@code command}, accepting {@code options} (which take values) and {@code flags}.
     */
    static Args parse(String command, String[] argv, Set<String> options, Set<String> flags) {
        Args args = new Args(command);
        String current = null;
        for (String a : argv) {
            if (a.startsWith("--")) {
                String name = a.substring(2);
                String inline = null;
                int eq = name.indexOf('=');
                if (eq >= 0) {
                    inline = name.substring(eq + 1);
                    name = name.substring(0, eq);
                }
                if (flags.contains(name)) {
                    args.values.computeIfAbsent(name, k -> new ArrayList<>());
                    current = null;
                } else if (options.contains(name)) {
                    args.values.computeIfAbsent(name, k -> new ArrayList<>());
                    current = name;
                    if (inline != null) {
                        args.values.get(name).add(inline);
                        current = null;
                    }
                } else {
                    throw new UsageException(command + ": unknown option --" + name);
                }
            } else if (current != null) {
                args.values.get(current).add(a);
            } else {
                throw new UsageException(command + ": unexpected argument '" + a + "'");
            }
        }
        for (var e : args.values.entrySet()) {
            if (options.contains(e.getKey()) && e.getValue().isEmpty()) {
                throw new UsageException(command + ": --" + e.getKey() + " needs a value");
            }
        }
        return args;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String required(String name) {
        if (!has(name)) {
            throw new UsageException(command + ": --" + name + " is required");
        }
        return single(name);
    }

    String get(String name, String fallback) {
        return has(name) ? single(name) : fallback;
    }

    List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    int integer(String name, int fallback, int min) {
        if (!has(name)) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(single(name));
            if (v < min) {
                throw new UsageException(command + ": --" + name + " must be >= " + min + ", got " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " expects an integer, got '" + single(name) + "'");
        }
    }

    /** {@code HxW} or a single number for a square size. */
    int[] size(String name) {
        if (!has(name)) {
            return null;
        }
        String v = single(name);
        String[] parts = v.toLowerCase().split("x");
        try {
            int h = Integer.parseInt(parts[0].trim());
            int w = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : h;
            if (parts.length > 2 || h < 1 || w < 1 || (long) h * w > (1L << 26)) {
                throw new NumberFormatException();
            }
            return new int[] {h, w};
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new UsageException(command + ": --" + name + " expects HxW (e.g. 224x224), got '" + v + "'");
        }
    }

    private String single(String name) {
        List<String> v = values.get(name);
        if (v.size() != 1) {
            throw new UsageException(command + ": --" + name + " takes one value, got " + v.size());
        }
        return v.get(0);
    }
}
