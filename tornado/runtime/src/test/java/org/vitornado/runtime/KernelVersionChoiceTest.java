package org.vitornado.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vitornado.runtime.nn.Linear;
import org.vitornado.runtime.tensor.Tokens;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Which version of the linear kernels a plan gets, and that {@code plan}'s table names it. */
class KernelVersionChoiceTest {

    static String linearKernel(PlanBuilder g) {
        Tokens x = new Tokens(g.input(new FloatArray(3 * 8)), 1, 3, 8);
        Tokens y = new Tokens(new FloatArray(3 * 4), 1, 3, 4);
        g.section("s").linear("fc", x, new Linear(new FloatArray(4 * 8), new FloatArray(4), 8, 4), y);
        g.output(y.data());
        try (CompiledPlan plan = g.compile()) {
            return plan.graphs().get(0).steps().get(0).kernel();
        }
    }

    @Test
    void inspectionShowsTheGpuVersionTheJvmBackendRunsItsOwn() {
        assertTrue(PlanBuilder.gpuVersions(null), "a plan built for inspection shows what a GPU gets");
        assertEquals("TiledLinearKernels.linear", linearKernel(new PlanBuilder("inspect", null)));
        // Neither our JVM device nor the test machine's TornadoVM device (PoCL, a CPU) is a GPU.
        assertFalse(PlanBuilder.gpuVersions(ExecutionOptions.defaults()), "this process's device is no GPU");
        assertEquals("LinearKernels.linear", linearKernel(new PlanBuilder("portable", ExecutionOptions.defaults(), false)));
    }

    @Test
    void thePropertyForcesEitherVersion() {
        String before = System.getProperty("vitornado.gpuVersions");
        try {
            System.setProperty("vitornado.gpuVersions", "true");
            assertTrue(PlanBuilder.gpuVersions(ExecutionOptions.defaults()));
            PlanBuilder forced = new PlanBuilder("forced", ExecutionOptions.defaults());
            assertFalse(forced.cpuKernels(), "forcing the GPU versions turns the JVM's CPU kernels off");
            assertEquals("TiledLinearKernels.linear", linearKernel(forced));
            System.setProperty("vitornado.gpuVersions", "false");
            assertEquals("LinearKernels.linear", linearKernel(new PlanBuilder("v1", null)));
        } finally {
            if (before == null) {
                System.clearProperty("vitornado.gpuVersions");
            } else {
                System.setProperty("vitornado.gpuVersions", before);
            }
        }
    }
}
