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

import org.vitornado.runtime.tensor.Tokens;

/** Self-attention, 12 heads of 64, over 197 tokens (ViT-B/16 at 224) and 4096 (a ViTDet global block at 1024). */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class AttentionBenchmark {

    @Param({"true", "false"})
    public boolean cpuKernels;

    @Param({"197", "4096"})
    public int tokens;

    private SingleTask task;

    @Setup
    public void setup() {
        int c = 768;
        Tokens qkv = SingleTask.randomRows(tokens, 3 * c, 1);
        task = new SingleTask(cpuKernels, g -> {
            Tokens out = Tokens.allocate(1, tokens, c);
            g.attention("attn", qkv, 12, out);
            return out.data();
        });
    }

    @Benchmark
    public void attention() {
        task.run();
    }

    @TearDown
    public void close() {
        task.close();
    }
}
