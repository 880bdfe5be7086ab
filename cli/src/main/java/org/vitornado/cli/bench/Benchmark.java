package org.vitornado.cli.bench;

import java.util.Arrays;
import java.util.Random;

import org.vitornado.model.plan.ModelPlan;
import org.vitornado.model.source.ModelSource;
import org.vitornado.runtime.ExecutionOptions;

/** Times a compiled model: warm-up runs, then timed runs of one forward each (input upload and output download included). */
public final class Benchmark {

    private Benchmark() {
    }

    /** Measures {@code target} at one batch size; {@code peak} is carried into the row. */
    public static BenchRow measure(ModelSource target, String modelName, int batch, int height, int width, ExecutionOptions options,
            String device, int warmup, int iterations, double peak) {
        float[] pixels = new float[batch * target.inChans() * height * width];
        Random r = new Random(1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) r.nextGaussian();
        }
        try (ModelPlan compiled = target.compile(batch, height, width, options)) {
            double flops = compiled.tasks().stream().mapToLong(t -> t.cost().flops()).sum();
            for (int i = 0; i < warmup; i++) {
                compiled.run(pixels);
            }
            double[] ms = new double[iterations];
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                compiled.run(pixels);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            double p50 = percentile(ms, 50);
            double p90 = percentile(ms, 90);
            return new BenchRow(modelName, options.backend().cliName(), device, batch, height, width, iterations, p50, p90,
                    batch / (p50 / 1e3), flops / batch / 1e9, flops / (p50 / 1e3) / 1e9, peak, Double.NaN, compiled.arrayBytes() / 1e6, peakRssMb());
        }
    }

    /** This process's peak resident set (VmHWM in /proc/self/status), in MB; NaN where there is no such file. */
    static double peakRssMb() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1e3;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux: no figure
        }
        return Double.NaN;
    }

    /** Nearest-rank percentile of {@code values}. */
    static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
