package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.model.plan.ModelPlan;
import org.vitornado.model.source.ModelSource;
import org.vitornado.runtime.ExecutionOptions;

/**
 * The memory a plan is estimated to need before it is built is close to what the built plan holds: within -10%
 * and +60% (an estimate errs high, so a refusal is never wrong by much), measured at the probe size and scaled
 * beyond it.
 */
class MemoryEstimateTest {

    @ParameterizedTest(name = "{0} batch {1} at {2}x{3}")
    @CsvSource({"vit_token,1,64,64", "vit_token,4,128,96", "segformer_tiny,1,64,64", "segformer_tiny,2,768,640", "vitdet_sfp,1,64,64",
            "vitdet_sfp,1,640,640", "samvit_window,2,96,64", "depict_segmenter,1,576,576"})
    void estimateMatchesTheBuiltPlan(String fixture, int batch, int height, int width) {
        try (ModelSource source = ModelSource.open(Fixtures.prefix(fixture) + ".safetensors")) {
            long estimate = source.estimateBytes(batch, height, width);
            long actual;
            try (ModelPlan plan = source.compile(batch, height, width, ExecutionOptions.defaults())) {
                actual = plan.arrayBytes();
            }
            double ratio = (double) estimate / actual;
            assertTrue(ratio > 0.9 && ratio < 1.6, fixture + ": estimated " + estimate + " bytes, the plan holds " + actual + " (" + ratio + "x)");
        }
    }
}
