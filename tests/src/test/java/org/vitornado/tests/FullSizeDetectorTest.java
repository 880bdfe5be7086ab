package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.fixture.Fixture;
import org.vitornado.model.fixture.FixtureRunner;
import org.vitornado.runtime.ExecutionOptions;

/**
 * detectron2's full-size ViTDet-B COCO Mask R-CNN on a real-sized input (a 1024x768 image padded to 1024x1024: 64x64
 * tokens in windows of 14 with padding, 127-row rel-pos tables, 1,000 proposals, boxes clipped to the unpadded
 * size), against detectron2 in float64 (`maskrcnn_vitdet_b_1024`, made by tools/make_detection_fixtures.py with the
 * weights computed from their names). It stores the pyramid levels p4..p6, every RPN level's logits and deltas, and
 * the first 10 proposals and their box-head rows (the prefix whose decisions all have a margin; see its JSON). JVM
 * only: on PoCL a forward pass of this size takes many minutes.
 */
@Tag("jvm")
class FullSizeDetectorTest {

    @Test
    void vitDetBaseMaskRcnnAt1024MatchesDetectron2() throws URISyntaxException {
        Path json = Path.of(FullSizeDetectorTest.class.getResource("/fullsize/maskrcnn_vitdet_b_1024.json").toURI());
        Fixture fixture = Fixture.read(json.resolveSibling("maskrcnn_vitdet_b_1024"));
        Map<String, float[]> produced = FixtureRunner.forFamily(fixture.family(), fixture.json()).run(fixture, ExecutionOptions.defaults());
        int compared = 0;
        for (Fixture.Tensor t : fixture.outputs()) {
            float[] got = produced.get(t.name());
            assertTrue(got != null, t.name() + " not produced");
            Comparison c = fixture.compare(t, got);
            assertTrue(c.within(fixture.relTol()), t.name() + ": relative L2 " + c.relativeL2());
            compared++;
        }
        assertEquals(16, compared, "outputs compared");
    }
}
