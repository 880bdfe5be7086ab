package org.vitornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.BufferOverflowException;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * TornadoVM 5.2.0's per-graph limits, as measured on the real runtime, hold for whichever API this process has: the
 * real one (under TornadoVM) and the JVM implementation, which enforces them so that plain-JVM tests catch a graph
 * too large for TornadoVM. The JVM implementation cannot see which arguments a kernel writes and counts them all,
 * so it rejects some graphs TornadoVM runs (never the other way round).
 */
class GraphLimitsTest {

    /** Whether this process runs on the JVM implementation of the API rather than the real TornadoVM. */
    static boolean jvmImplementation() {
        try {
            Class.forName("org.vitornado.jvmapi.JvmTornado");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** {@code n} chained linear tasks (a KernelContext, four arrays, three ints each): y_i = y_(i-1) W_i^T with W_i = I/4. */
    static float linearChain(int n) throws Exception {
        int rows = 2;
        int width = 4;
        KernelContext ctx = new KernelContext();
        FloatArray x = new FloatArray(rows * width);
        x.init(1f);
        String name = "chain" + n;
        TaskGraph g = new TaskGraph(name).transferToDevice(DataTransferMode.FIRST_EXECUTION, x);
        GridScheduler grids = new GridScheduler();
        FloatArray prev = x;
        for (int i = 0; i < n; i++) {
            FloatArray w = new FloatArray(width * width);
            w.init(1f / width);
            FloatArray b = new FloatArray(width);
            FloatArray y = new FloatArray(rows * width);
            g.transferToDevice(DataTransferMode.FIRST_EXECUTION, w, b).task("t" + i, LinearKernels::linear, ctx, prev, w, b, y, rows, width, width);
            grids.addWorkerGrid(name + ".t" + i, LinearKernels.grid(rows, width));
            prev = y;
        }
        g.transferToHost(DataTransferMode.EVERY_EXECUTION, prev);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(grids).execute();
        }
        return prev.get(0);
    }

    @Test
    void aGraphWithinTheLimitsRuns() throws Exception {
        assertEquals(1f, linearChain(67), 1e-5f);
    }

    @Test
    void aGraphPastTheNodeLimitFails() {
        // TornadoVM 5.2.0: 85 of these tasks are 1,030 graph nodes, past its 1,024.
        assertThrows(Throwable.class, () -> linearChain(85));
    }

    @Test
    void theLimitIsWhereItWasMeasured() throws Exception {
        if (jvmImplementation()) {
            // Counting every array as written, 68 tasks already need 1,030 nodes here.
            assertThrows(Throwable.class, () -> linearChain(68));
        } else {
            assertEquals(1f, linearChain(84), 1e-5f);
        }
    }

    static void addMany(FloatArray x, int a, int b, int c, int d, int e, int f, int g, int h, int i2, int j, int k, int l, int m, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            x.set(i, x.get(i) + a);
        }
    }

    @Test
    void recordedCodeOverflowsAtTheNinetySecondTaskOfFifteenArguments() {
        FloatArray x = new FloatArray(4);
        TaskGraph g = new TaskGraph("code");
        for (int t = 0; t < 91; t++) { // 15 + 5 x 15 = 90 bytes each: 8,190 of 8,192
            g.task("t" + t, GraphLimitsTest::addMany, x, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4);
        }
        BufferOverflowException e = assertThrows(BufferOverflowException.class,
                () -> g.task("t91", GraphLimitsTest::addMany, x, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 4));
        if (jvmImplementation()) {
            // TornadoVM's own exception has no message; ours says which graph and task.
            assertTrue(e.getMessage().contains("'code'") && e.getMessage().contains("t91"), e.getMessage());
        }
    }
}
