package org.vitornado.cli.bench;

/**
 * One measured configuration: latency percentiles over the timed runs, throughput, and achieved FLOP rate (FLOPs
 * from the plan's task costs). {@code speedup} is this row's images/s over the JVM row of the same batch when both
 * backends ran (NaN otherwise); {@code peakGflops} the machine's measured JVM FMA peak (NaN when not measured).
 * {@code arrayMb}: the plan's arrays (weights, activations, outputs: device memory under TornadoVM, off-heap on the
 * JVM); {@code peakRssMb}: the measuring process's peak resident memory so far (Linux VmHWM; NaN elsewhere).
 */
public record BenchRow(String model, String backend, String device, int batch, int height, int width, int iterations, double p50Ms,
        double p90Ms, double imagesPerS, double gflopPerImage, double gflopsPerS, double peakGflops, double speedup, double arrayMb,
        double peakRssMb) {

    public BenchRow withSpeedup(double s) {
        return new BenchRow(model, backend, device, batch, height, width, iterations, p50Ms, p90Ms, imagesPerS, gflopPerImage, gflopsPerS,
                peakGflops, s, arrayMb, peakRssMb);
    }
}
