package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.model.source.ModelSource;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.plan.ModelPlan;
import org.vitornado.runtime.Backend;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.plan.GraphBudget;
import org.vitornado.runtime.plan.PlannedGraph;
import org.vitornado.weights.SafetensorsFile;
import org.vitornado.weights.SafetensorsWriter;

/**
 * One real forward pass of every preset (random weights, {@code bench}'s models) on this process's backend, with
 * every task graph within TornadoVM's limits. The JVM run writes its outputs; the run under the real TornadoVM
 * (after the JVM suite, as {@code bin/test} orders them) must match them to 1e-4 relative L2. ViT-L, SegFormer-B0,
 * ViTDet-B and the hybrid ViT-B (ResNetV2-50 stem, 384) run at their real sizes, DETR-R50 at 800x800 (DETR resizes the
 * shorter side to 800); ViTDet-L and -H and DETR-R101 at 256, which builds and runs all their graphs and tasks.
 */
class PresetForwardTest {

    /** Where the JVM run leaves its outputs for the TornadoVM run ({@code -Dvitornado.presetOutputs}). */
    static Path outputs() {
        return Path.of(System.getProperty("vitornado.presetOutputs", ProjectFiles.root().resolve("tests/target/preset-outputs").toString()));
    }

    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"vit_small_patch16_224,224", "vit_base_patch16_224,224", "vit_large_patch16_224,224", "segformer_b0,512", "vitdet_b,1024",
            "vitdet_l,256", "vitdet_h,256", "vit_base_r50_s16_384,384", "vit_small_r26_s32_224,224", "detr_resnet50,800", "detr_resnet101,256"})
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

    /**
     * The GPU versions of the kernels (version 2, forced: a plan picks them only on a GPU) on real models: ViT-B at
     * 224 (tiled linear layers, flash attention, group LayerNorm) and ViTDet-B at 256 (window and global attention
     * with rel-pos, the pyramid's convolutions and transposed convolutions as implicit GEMMs) give the same outputs as
     * the default plan on the same backend, to 1e-4 relative L2: the real JIT on PoCL. Tagged {@code tornadovm}, so
     * only the TornadoVM stage of {@code bin/test} runs it: our JVM API runs these kernels, which synchronise
     * work-groups with barriers, one virtual thread per work-item (correct, and minutes for one pass); on the JVM
     * {@code UpstreamFixtureTest} checks them end to end on the small fixtures.
     */
    @Tag("tornadovm")
    @ParameterizedTest(name = "{0} at {1}")
    @CsvSource({"vit_base_patch16_224,224", "vitdet_b,256"})
    void gpuVersionsMatchTheDefaultPlan(String preset, int size) {
        float[] pixels = new float[3 * size * size];
        Random r = new Random(size + 1);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) r.nextGaussian();
        }
        Map<String, float[]> first = PlanBuilder.withGpuVersions(false, () -> forward(preset, size, pixels));
        long t0 = System.nanoTime();
        Map<String, float[]> second = PlanBuilder.withGpuVersions(true, () -> forward(preset, size, pixels));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(first.keySet(), second.keySet(), "outputs of " + preset);
        double worst = 0;
        for (var e : second.entrySet()) {
            assertTrue(varies(e.getValue()), preset + "." + e.getKey() + ": not finite, or constant");
            Comparison c = Comparison.of(e.getValue(), first.get(e.getKey()));
            assertTrue(c.within(1e-4), preset + "." + e.getKey() + ": relative L2 " + c.relativeL2() + " between the versions");
            worst = Math.max(worst, c.relativeL2());
        }
        System.out.printf("preset %s at %dx%d on %s with the GPU versions: %.1f s (build and run); matches the default plan to %.1e%n", preset,
                size, size, Backend.detect().cliName(), seconds, worst);
    }

    private static Map<String, float[]> forward(String preset, int size, float[] pixels) {
        try (ModelSource target = ModelSource.open(preset); ModelPlan plan = target.compile(1, size, size, ExecutionOptions.defaults())) {
            plan.run(pixels);
            return new java.util.HashMap<>(plan.outputs());
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
