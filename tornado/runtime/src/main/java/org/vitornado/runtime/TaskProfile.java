package org.vitornado.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * Per-task kernel times of one execution, read from TornadoVM's profiler log (the same JSON shape from the real
 * TornadoVM and from our JVM implementation): {@code "graph.task": {..., "TASK_KERNEL_TIME": "ns", ...}}.
 */
public final class TaskProfile {

    private static final Pattern TASK = Pattern.compile("\"([^\"]+\\.[^\"]+)\"\\s*:\\s*\\{([^{}]*)\\}");
    private static final Pattern KERNEL_TIME = Pattern.compile("\"TASK_KERNEL_TIME\"\\s*:\\s*\"?(\\d+)\"?");

    private TaskProfile() {
    }

    /** Nanoseconds per {@code graph.task} in the last run of {@code runner} (which must have been built with profiling). */
    public static Map<String, Long> kernelTimes(PlanRunner runner) {
        List<String> logs = runner.lastProfileLogs();
        if (logs.isEmpty()) {
            throw new IllegalStateException("no profile: run the plan, built with ExecutionOptions.profile, first");
        }
        Map<String, Long> out = new LinkedHashMap<>();
        logs.forEach(log -> out.putAll(parse(log)));
        return out;
    }

    static Map<String, Long> parse(String log) {
        Map<String, Long> out = new LinkedHashMap<>();
        Matcher m = TASK.matcher(log);
        while (m.find()) {
            Matcher t = KERNEL_TIME.matcher(m.group(2));
            if (t.find()) {
                out.put(m.group(1), Long.parseLong(t.group(1)));
            }
        }
        return out;
    }
}
