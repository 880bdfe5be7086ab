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

/** ViT-B's qkv projection, 197 x 768 -> 2304 (2 x 197 x 768 x 2304 = 0.70 GFLOP): CPU kernel vs the portable one. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class LinearBenchmark {

    @Param({"true", "false"})
    public boolean cpuKernels;

    @Param({"197"})
    public int rows;

    private SingleTask task;

    @Setup
    public void setup() {
        int in = 768;
        int out = 2304;
        Tokens x = SingleTask.randomRows(rows, in, 1);
        Linear p = new Linear(SingleTask.random(out * in, 2), SingleTask.random(out, 3), in, out);
        task = new SingleTask(cpuKernels, g -> {
            Tokens y = Tokens.allocate(1, rows, out);
            g.linear("qkv", x, p, y);
            return y.data();
        });
    }

    @Benchmark
    public void qkv() {
        task.run();
    }

    @TearDown
    public void close() {
        task.close();
    }
}
