package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.fixture.Fixture;
import org.vitornado.model.fixture.FixtureRunner;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanBuilder;

/** Every primary output of the upstream fixtures matches to 1e-4 relative L2 on the JVM backend. */
class UpstreamFixtureTest {

    @ParameterizedTest
    @CsvSource({"vit_token,3", "vit_avg_dynamic,3", "samvit_window,3", "vitdet_sfp,6", "depict_sa,1", "depict_ca,1", "depict_segmenter,1",
            "segformer_tiny,7", "vitdet_maskrcnn,37", "maskrcnn_batch2,68", "maskrcnn_nodet,37", "vit_hybrid,4", "vit_hybrid_dynamic,4", "detr_r50,10",
            "detr_bottleneck,10"})
    void matchesUpstream(String name, int primaryOutputs) {
        check(name, primaryOutputs);
    }

    /**
     * The same with the GPU versions (version 2) of the kernels that have one (linear, attention, window attention,
     * convolutions, LayerNorm, softmax), which a plan picks
     * only for a GPU: forced here, so that they are checked end to end on the JVM and on PoCL too.
     */
    @ParameterizedTest
    @CsvSource({"vit_token,3", "samvit_window,3", "vitdet_sfp,6", "depict_segmenter,1", "segformer_tiny,7", "vitdet_maskrcnn,37", "vit_hybrid_dynamic,4",
            "detr_bottleneck,10"})
    void matchesUpstreamWithTheGpuKernels(String name, int primaryOutputs) {
        PlanBuilder.withGpuVersions(true, () -> {
            check(name, primaryOutputs);
            return null;
        });
    }

    private static void check(String name, int primaryOutputs) {
        Fixture fixture = Fixture.read(Fixtures.prefix(name));
        Map<String, float[]> produced = FixtureRunner.forFamily(fixture.family(), fixture.json()).run(fixture, ExecutionOptions.defaults());
        int primaries = 0;
        for (Fixture.Tensor t : fixture.outputs()) {
            if (!t.primary()) {
                continue;
            }
            primaries++;
            float[] got = produced.get(t.name());
            assertTrue(got != null, name + ": primary output " + t.name() + " not produced");
            Comparison c = fixture.compare(t, got);
            assertTrue(c.within(fixture.relTol()), name + "." + t.name() + ": relative L2 " + c.relativeL2());
        }
        assertEquals(primaryOutputs, primaries, "primary outputs of " + name);
    }
}
