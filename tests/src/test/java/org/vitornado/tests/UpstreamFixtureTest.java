package org.vitornado.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vitornado.model.fixture.Comparison;
import org.vitornado.model.fixture.Fixture;
import org.vitornado.model.fixture.FixtureRunner;
import org.vitornado.runtime.ExecutionOptions;

/** Every primary output of the upstream timm fixtures matches to 1e-4 relative L2 on the JVM backend. */
class UpstreamFixtureTest {

    @ParameterizedTest
    @ValueSource(strings = {"vit_token", "vit_avg_dynamic"})
    void matchesUpstreamTimm(String name) {
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
            Comparison c = Comparison.of(got, fixture.values(t.name()));
            assertTrue(c.within(fixture.relTol()), name + "." + t.name() + ": relative L2 " + c.relativeL2());
        }
        assertEquals(3, primaries, "features, pre_logits and logits are the primary outputs");
    }
}
