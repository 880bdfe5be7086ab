package uk.ac.manchester.tornado.api.enums;

/** Whether the profiler prints its report ({@code CONSOLE}) or only records it ({@code SILENT}). */
public enum ProfilerMode {
    CONSOLE,
    SILENT
}
