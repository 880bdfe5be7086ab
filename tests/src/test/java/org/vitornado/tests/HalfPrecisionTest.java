package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vitornado.model.fixture.Fixture;
import org.vitornado.model.fixture.FixtureRunner;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.Precision;

/**
 * {@code --precision fp16} against float32 on every upstream fixture: each float output of the fp16 run is within
 * 1e-3 relative L2 of the float32 run's: features, logits, the RPN's and the ROI heads' outputs. A detector's final
 * instances are held to 1e-2: their scores are softmax probabilities, whose relative error is the logits' absolute
 * error (about 3e-3 here), and their mask logits come from the ROIs of those decisions. Exact outputs (kept boxes,
 * classes, pasted mask pixels) are not compared: fp16 may flip a decision that float32 takes by a hair. JVM only: our API computes {@code HalfFloat} in software; PoCL, the CPU OpenCL
 * device of the real-TornadoVM stage, has no fp16 (a plan there refuses it, see {@code PlanBuilder}).
 */
@Tag("jvm")
class HalfPrecisionTest {

    static final double TOLERANCE = 1e-3;
    static final double INSTANCES = 1e-2;

    @ParameterizedTest
    @ValueSource(strings = {"vit_token", "vit_avg_dynamic", "samvit_window", "vitdet_sfp", "depict_sa", "depict_ca", "depict_segmenter",
            "segformer_tiny", "vitdet_maskrcnn", "maskrcnn_batch2", "maskrcnn_nodet"})
    void halfWeightsStayWithin1e3OfFloat32(String name) {
        Fixture fixture = Fixture.read(Fixtures.prefix(name));
        ExecutionOptions fp32 = ExecutionOptions.defaults();
        Map<String, float[]> want = FixtureRunner.forFamily(fixture.family(), fixture.json()).run(fixture, fp32);
        Map<String, float[]> got = FixtureRunner.forFamily(fixture.family(), fixture.json()).run(fixture, fp32.withPrecision(Precision.FP16));
        List<String> report = new ArrayList<>();
        for (Fixture.Tensor t : fixture.outputs()) {
            float[] a = want.get(t.name());
            float[] b = got.get(t.name());
            if (a == null || b == null || t.exact()) {
                continue;
            }
            double d = 0;
            double n = 0;
            for (int i = 0; i < Math.min(a.length, b.length); i++) {
                d += (a[i] - (double) b[i]) * (a[i] - (double) b[i]);
                n += (double) a[i] * a[i];
            }
            double rel = a.length != b.length ? Double.POSITIVE_INFINITY : Math.sqrt(d / Math.max(n, 1e-300));
            double limit = t.name().contains("instances.") ? INSTANCES : TOLERANCE;
            report.add(String.format("%s %.2e%s", t.name(), rel, rel <= limit ? "" : " OVER"));
        }
        System.out.println(name + ": " + report);
        assertTrue(report.stream().noneMatch(r -> r.endsWith("OVER")), name + ": " + report);
    }
}
