package org.vitornado.runtime;

/**
 * What one kernel task costs: floating-point operations (a multiply-add counts as two) and the bytes it
 * reads from and writes to device memory, counting each array element once. These are the model's numbers,
 * not measurements: they feed the {@code plan} table and the achieved GFLOP/s of benchmarks.
 */
public record TaskCost(long flops, long bytesRead, long bytesWritten) {

    public static TaskCost of(long flops, long floatsRead, long floatsWritten) {
        return new TaskCost(flops, floatsRead * Float.BYTES, floatsWritten * Float.BYTES);
    }

    public TaskCost plus(TaskCost other) {
        return new TaskCost(flops + other.flops, bytesRead + other.bytesRead, bytesWritten + other.bytesWritten);
    }

    public static final TaskCost ZERO = new TaskCost(0, 0, 0);
}
