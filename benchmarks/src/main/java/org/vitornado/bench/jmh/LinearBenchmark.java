package org.vitornado.bench.jmh;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.tensor.Tokens;

/**
 * ViT-B's four linear layers' GEMMs (85% of its FLOPs; the bias only, no GELU or residual), at batch 1 (197 rows) and 8 (1,576 rows): the
 * JVM's CPU kernel ({@code cpuKernels=true}, the packed-panel GEMM) vs the portable kernel on the JVM. GFLOP/s is
 * {@code 2 rows in out / time}: {@link #gflop()} per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class LinearBenchmark {

    @Param({"true", "false"})
    public boolean cpuKernels;

    @Param({"197", "1576"})
    public int rows;

    /** {@code qkv} 768 -> 2304, {@code proj} 768 -> 768, {@code fc1} 768 -> 3072, {@code fc2} 3072 -> 768. */
    @Param({"qkv", "proj", "fc1", "fc2"})
    public String layer;

    private SingleTask task;

    @Setup
    public void setup() {
        int in = layer.equals("fc2") ? 3072 : 768;
        int out = switch (layer) {
            case "qkv" -> 2304;
            case "fc1" -> 3072;
            default -> 768;
        };
        Tokens x = SingleTask.randomRows(rows, in, 1);
        Linear p = new Linear(SingleTask.random(out * in, 2), SingleTask.random(out, 3), in, out);
        task = new SingleTask(cpuKernels, g -> {
            Tokens y = Tokens.allocate(1, rows, out);
            g.linear(layer, x, p, y);
            return y.data();
        });
    }

    /** GFLOP of one operation: {@code 2 rows in out}. */
    public double gflop() {
        int in = layer.equals("fc2") ? 3072 : 768;
        int out = layer.equals("qkv") ? 2304 : layer.equals("fc1") ? 3072 : 768;
        return 2.0 * rows * in * out / 1e9;
    }

    @Benchmark
    public void run() {
        task.run();
    }

    @TearDown
    public void close() {
        task.close();
    }
}
