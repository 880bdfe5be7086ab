package uk.ac.manchester.tornado.api;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Times of one execution (nanoseconds). On the JVM there is no compilation or transfer: the kernel time is the
 * sum of the task times, and the byte counts are what the declared transfers would have moved.
 */
public class TornadoProfilerResult {

    private final long totalTime;
    private final long kernelTime;
    private final long bytesIn;
    private final long bytesOut;
    private final Map<String, Long> taskTimes;

    TornadoProfilerResult(long totalTime, long bytesIn, long bytesOut, Map<String, Long> taskTimes) {
        this.totalTime = totalTime;
        this.bytesIn = bytesIn;
        this.bytesOut = bytesOut;
        this.taskTimes = new LinkedHashMap<>(taskTimes);
        this.kernelTime = taskTimes.values().stream().mapToLong(Long::longValue).sum();
    }

    public long getTotalTime() { return totalTime; }
    public long getCompileTime() { return 0; }
    public long getTornadoCompilerTime() { return 0; }
    public long getDriverInstallTime() { return 0; }
    public long getDataTransfersTime() { return 0; }
    public long getDeviceWriteTime() { return 0; }
    public long getDeviceReadTime() { return 0; }
    public long getDataTransferDispatchTime() { return 0; }
    public long getKernelDispatchTime() { return 0; }
    public long getDeviceKernelTime() { return kernelTime; }
    public long getTotalBytesCopyIn() { return bytesIn; }
    public long getTotalBytesCopyOut() { return bytesOut; }
    public long getTotalBytesTransferred() { return bytesIn + bytesOut; }
    public long getTotalDeviceMemoryUsage() { return 0; }
    public String getTraceExecutionPlan() { return ""; }

    public void dumpProfiles() {
        System.out.println(getProfileLog());
    }

    /**
     * JSON in the shape of TornadoVM's profiler log: per graph, {@code TOTAL_TASK_GRAPH_TIME}, and per
     * {@code graph.task} its {@code TASK_KERNEL_TIME} (ns).
     */
    public String getProfileLog() {
        Map<String, Map<String, Long>> byGraph = new LinkedHashMap<>();
        for (var e : taskTimes.entrySet()) {
            String graph = e.getKey().substring(0, e.getKey().indexOf('.'));
            byGraph.computeIfAbsent(graph, g -> new LinkedHashMap<>()).put(e.getKey(), e.getValue());
        }
        StringBuilder sb = new StringBuilder("{\n");
        int g = 0;
        for (var graph : byGraph.entrySet()) {
            long total = graph.getValue().values().stream().mapToLong(Long::longValue).sum();
            sb.append("    \"").append(graph.getKey()).append("\": {\n");
            sb.append("        \"TOTAL_TASK_GRAPH_TIME\": \"").append(total).append("\"");
            for (var t : graph.getValue().entrySet()) {
                sb.append(",\n        \"").append(t.getKey()).append("\": {\n");
                sb.append("            \"DEVICE\": \"JVM\",\n");
                sb.append("            \"TASK_KERNEL_TIME\": \"").append(t.getValue()).append("\"\n        }");
            }
            sb.append("\n    }").append(++g < byGraph.size() ? ",\n" : "\n");
        }
        return sb.append("}\n").toString();
    }
}
