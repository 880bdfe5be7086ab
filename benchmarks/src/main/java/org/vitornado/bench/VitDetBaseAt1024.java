package org.vitornado.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.vitornado.model.io.Tensors;
import org.vitornado.model.vitdet.VitDetConfig;
import org.vitornado.model.vitdet.VitDetModel;
import org.vitornado.runtime.ExecutionOptions;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * ViTDet-B (embed 768, depth 12, 12 heads, window 14, global blocks 2, 5, 8, 11, rel-pos, SFP with 256 channels) at
 * 1024x1024 with random weights: times {@code runs} forward passes and reports the peak resident memory of the
 * process (heap and off-heap), read from /proc/self/status. A benchmark, not a test.
 *
 * <p>{@code java -cp ... org.vitornado.bench.VitDetBaseAt1024 [runs]}
 */
public final class VitDetBaseAt1024 {

    private VitDetBaseAt1024() {
    }

    public static void main(String[] args) throws IOException {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        VitDetConfig c = VitDetConfig.preset("vitdet_b");
        Random r = new Random(1);
        Tensors random = new Tensors() {
            public Path path() { return Path.of("(random ViTDet-B)"); }
            public boolean contains(String name) { return true; }
            public long[] shape(String name) { return new long[] {2 * (name.contains("blocks.2.") || name.contains("blocks.5.")
                    || name.contains("blocks.8.") || name.contains("blocks.11.") ? 64 : 14) - 1, 64}; }
            public FloatArray load(String name, long... shape) { return fill(shape); }
            public FloatArray loadOrZeros(String name, long... shape) { return fill(shape); }
            public FloatArray stack(String[] names, long... partShape) { throw new UnsupportedOperationException(); }
            private FloatArray fill(long[] shape) {
                int n = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
                FloatArray a = new FloatArray(n);
                float std = (float) (shape.length > 1 ? 1 / Math.sqrt(n / shape[0]) : 0.2);
                for (int i = 0; i < n; i++) {
                    a.set(i, (float) r.nextGaussian() * std);
                }
                return a;
            }
        };
        float[] image = new float[3 * 1024 * 1024];
        for (int i = 0; i < image.length; i++) {
            image[i] = (float) r.nextGaussian();
        }
        try (VitDetModel.Plan plan = new VitDetModel(c, random).plan(1, 1024, 1024, ExecutionOptions.defaults())) {
            for (int i = 0; i < runs; i++) {
                long t0 = System.nanoTime();
                plan.run(image);
                System.out.printf("run %d: %.1f s%n", i + 1, (System.nanoTime() - t0) / 1e9);
            }
            System.out.println("outputs: " + plan.outputs().keySet());
        }
        Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM") || l.startsWith("VmRSS"))
                .forEach(System.out::println);
    }
}
