package org.vitornado.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A plan in stages, as a detector runs one: the host reads what stage 0 wrote, computes the next stage's input, and
 * stage 1 continues on what stayed on the device.
 */
class PlanStagesTest {

    @Test
    void hostWorksBetweenStagesWhileActivationsStayOnTheDevice() {
        int n = 7;
        PlanBuilder g = new PlanBuilder("staged", ExecutionOptions.defaults());
        FloatArray a = g.input(new FloatArray(n));
        FloatArray b = new FloatArray(n);
        FloatArray c = new FloatArray(n);
        FloatArray d = new FloatArray(n);
        g.stage("first").copyRows("copy", new Tokens(a, 1, n, 1), 0, new Tokens(b, 1, n, 1), 0, n).relu("relu", b);
        g.output(b);
        g.stage("second");
        g.input(c);
        g.copyRows("copy2", new Tokens(b, 1, n, 1), 0, new Tokens(d, 1, n, 1), 0, n).add("add", d, c);
        g.output(d);
        try (CompiledPlan plan = g.compile()) {
            assertEquals(2, plan.stages());
            assertEquals("first", plan.stageLabel(0));
            assertEquals("second", plan.stageLabel(1));
            Set<Integer> stagesOfGraphs = new HashSet<>();
            for (int i = 0; i < plan.graphs().size(); i++) {
                stagesOfGraphs.add(plan.stageOfGraph(i));
            }
            assertEquals(Set.of(0, 1), stagesOfGraphs, "every stage has its own graphs");
            for (int run = 0; run < 2; run++) {
                for (int i = 0; i < n; i++) {
                    a.set(i, (i - 3) * (run + 1));
                }
                plan.runStage(0);
                // b is kept on the device for stage 1 and is also an output: it is on the host after stage 0.
                for (int i = 0; i < n; i++) {
                    assertEquals(Math.max(0, (i - 3) * (run + 1)), b.get(i), "b[" + i + "] after stage 0, run " + run);
                    c.set(i, 10 * b.get(i) + i);
                }
                plan.runStage(1);
                for (int i = 0; i < n; i++) {
                    float relu = Math.max(0, (i - 3) * (run + 1));
                    assertEquals(relu + 10 * relu + i, d.get(i), "d[" + i + "] after stage 1, run " + run);
                }
            }
            assertTrue(plan.graphs().size() >= 2);
        }
    }
}
