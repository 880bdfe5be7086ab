package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.model.source.ModelSource;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.plan.ModelPlan;
import org.vitornado.runtime.Backend;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.plan.GraphBudget;
import org.vitornado.runtime.plan.PlannedGraph;
import org.vitornado.weights.SafetensorsFile;
import org.vitornado.weights.SafetensorsWriter;

/**
 * One real forward pass of every preset (random weights, {@code bench}'s models) on this process's backend, with
 * every task graph within TornadoVM's limits. The JVM run writes its outputs; the run under the real TornadoVM
 * (after the JVM suite, as {@code bin/test} orders them) must match them to 1e-4 relative L2. ViT-L, SegFormer-B0 and
 * ViTDet-B run at their real sizes; ViTDet-L and -H at 256, which builds and runs all their graphs and tasks.
 */
class PresetForwardTest {

    /** Where the JVM run leaves its outputs for the TornadoVM run ({@code -Dvitornado.presetOutputs}). */
    static Path outputs() {
        return Path.of(System.getProperty("vitornado.presetOutputs", ProjectFiles.root().resolve("tests/target/preset-outputs").toString()));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"vit_small_patch16_224,224", "vit_base_patch16_224,224", "vit_large_patch16_224,224", "segformer_b0,512", "vitdet_b,1024",
            "vitdet_l,256", "vitdet_h,256"})
    void forwardPass(String preset, int size) throws IOException {
        Backend backend = Backend.detect();
        try (ModelSource target = ModelSource.open(preset); ModelPlan plan = target.compile(1, size, size, ExecutionOptions.defaults())) {
            for (PlannedGraph g : plan.graphs()) {
                assertTrue(GraphBudget.fits(g.nodes(), g.codeBytes()), g.name() + ": " + g.nodes() + " nodes, " + g.codeBytes() + " bytes");
            }
            float[] pixels = new float[3 * size * size];
            Random r = new Random(size);
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (float) r.nextGaussian();
            }
            long t0 = System.nanoTime();
            plan.run(pixels);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, float[]> got = plan.outputs();
            for (var e : got.entrySet()) {
                assertTrue(varies(e.getValue()), preset + "." + e.getKey() + ": not finite, or constant");
            }
            Path file = outputs().resolve(preset + "-" + size + ".safetensors");
            String result;
            if (backend == Backend.JVM) {
                SafetensorsWriter w = new SafetensorsWriter();
                got.forEach((name, values) -> w.add(name, values, values.length));
                Files.createDirectories(file.getParent());
                w.write(file, true);
                result = "written for the TornadoVM run";
            } else {
                assertTrue(Files.exists(file), file + " is missing: run the JVM suite first (bin/test runs it before the TornadoVM one)");
                double worst = 0;
                try (SafetensorsFile want = SafetensorsFile.open(file)) {
                    assertEquals(want.names().size(), got.size(), "outputs of " + preset);
                    for (var e : got.entrySet()) {
                        Comparison c = Comparison.of(e.getValue(), want.readFloats(e.getKey()));
                        assertTrue(c.within(1e-4), preset + "." + e.getKey() + ": relative L2 " + c.relativeL2() + " from the JVM's");
                        worst = Math.max(worst, c.relativeL2());
                    }
                }
                result = String.format("matches the JVM to %.1e relative L2", worst);
            }
            System.out.printf("preset %s at %dx%d on %s: %d graphs, %d tasks, forward %.1f s; %s%n", preset, size, size, backend.cliName(),
                    plan.graphs().size(), plan.tasks().size(), seconds, result);
        }
    }

    /** Every value finite, and not all the same (a forward pass that silently did nothing would be zeros). */
    private static boolean varies(float[] values) {
        float first = values[0];
        boolean differs = false;
        for (float v : values) {
            if (!Float.isFinite(v)) {
                return false;
            }
            differs |= v != first;
        }
        return differs;
    }
}
