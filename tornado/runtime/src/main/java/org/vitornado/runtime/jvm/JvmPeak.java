package org.vitornado.runtime.jvm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jdk.incubator.vector.FloatVector;

/**
 * The machine's float32 FMA peak as the JVM reaches it: on every core, a loop of independent vector FMAs (8
 * accumulators, so latency is hidden) on registers only. What {@code bench} divides achieved GFLOP/s by.
 */
public final class JvmPeak {

    private JvmPeak() {
    }

    /** GFLOP/s over {@code threads} threads (2 FLOPs per FMA lane), best of a few short runs. */
    public static double gflops(int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            for (int attempt = 0; attempt < 4; attempt++) {
                long iterations = attempt == 0 ? 2_000_000 : 20_000_000;
                List<Callable<Float>> work = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    work.add(() -> spin(iterations));
                }
                long t0 = System.nanoTime();
                float sink = 0;
                for (Future<Float> f : pool.invokeAll(work)) {
                    sink += f.get();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                double flops = 2.0 * 8 * JvmVectors.S.length() * iterations * threads;
                if (attempt > 0 && sink != 42) {
                    best = Math.max(best, flops / seconds / 1e9);
                }
            }
            return best;
        } catch (Exception e) {
            throw new IllegalStateException("peak measurement failed: " + e.getMessage(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** 8 independent FMA chains; the result keeps the JIT from removing them. */
    static float spin(long iterations) {
        FloatVector m = FloatVector.broadcast(JvmVectors.S, 0.999999f);
        FloatVector c = FloatVector.broadcast(JvmVectors.S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(JvmVectors.S, 1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }

    /** Lanes of the vector species the CPU kernels use (16 for AVX-512, 8 for AVX2). */
    public static int lanes() {
        return JvmVectors.S.length();
    }
}
