package uk.ac.manchester.tornado.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoRuntimeException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Several graphs in one plan, passing arrays on the device, and the graph-node count, as TornadoVM 5.2.0 behaves
 * (each case was run on the real runtime first; see {@link JvmGraphLimits}; {@code tornado/kernels}' GraphLimitsTest
 * runs the limits on both implementations).
 */
class MultiGraphTest {

    static void scale(FloatArray in, FloatArray out, float s, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out.set(i, in.get(i) * s);
        }
    }

    static void add(FloatArray a, FloatArray b, FloatArray out, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out.set(i, a.get(i) + b.get(i));
        }
    }

    /** a: x = 2 img, s = 3 img; b: y = x + w (s passes through); c: z = y + s = 5 img + w. */
    private static ImmutableTaskGraph[] chain(FloatArray img, FloatArray z, boolean bKeepsS, String cSource) {
        int n = img.getSize();
        FloatArray x = new FloatArray(n);
        FloatArray s = new FloatArray(n);
        FloatArray y = new FloatArray(n);
        FloatArray w = new FloatArray(n);
        w.init(100f);
        TaskGraph a = new TaskGraph("a").transferToDevice(DataTransferMode.EVERY_EXECUTION, img)
                .task("x", MultiGraphTest::scale, img, x, 2f, n).task("s", MultiGraphTest::scale, img, s, 3f, n).persistOnDevice(x, s);
        TaskGraph b = new TaskGraph("b").consumeFromDevice("a", bKeepsS ? new Object[] {x, s} : new Object[] {x})
                .transferToDevice(DataTransferMode.FIRST_EXECUTION, w).task("y", MultiGraphTest::add, x, w, y, n).persistOnDevice(y);
        TaskGraph c = new TaskGraph("c").consumeFromDevice(cSource, y, s).task("z", MultiGraphTest::add, y, s, z, n)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, z);
        return new ImmutableTaskGraph[] {a.snapshot(), b.snapshot(), c.snapshot()};
    }

    @Test
    void graphsRunOneAtATimePassArraysOnTheDevice() throws Exception {
        FloatArray img = new FloatArray(8);
        FloatArray z = new FloatArray(8);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(chain(img, z, true, "b"))) {
            for (int round = 1; round <= 3; round++) {
                for (int i = 0; i < 8; i++) {
                    img.set(i, i * round);
                }
                for (int g = 0; g < 3; g++) {
                    plan.withGraph(g).execute();
                }
                for (int i = 0; i < 8; i++) {
                    assertEquals(5f * i * round + 100f, z.get(i), "round " + round + ", z[" + i + "]");
                }
            }
        }
    }

    @Test
    void consumingNeedsTheGraphRunJustBefore() throws Exception {
        FloatArray img = new FloatArray(8);
        FloatArray z = new FloatArray(8);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(chain(img, z, true, "b"))) {
            // TornadoVM (5.2.0) resolves consumed arrays only between separate executions: all graphs at once fails.
            TornadoRuntimeException e = assertThrows(TornadoRuntimeException.class, plan::execute);
            assertTrue(e.getMessage().contains("withGraph(i).execute()"), e.getMessage());
        }
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(chain(img, z, true, "a"))) {
            plan.withGraph(0).execute();
            plan.withGraph(1).execute();
            TornadoRuntimeException e = assertThrows(TornadoRuntimeException.class, () -> plan.withGraph(2).execute());
            assertTrue(e.getMessage().contains("the graph run before it was 'b'"), e.getMessage());
        }
    }

    @Test
    void anArrayNotKeptOnTheDeviceCannotBeConsumed() throws Exception {
        FloatArray img = new FloatArray(8);
        FloatArray z = new FloatArray(8);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(chain(img, z, false, "b"))) {
            plan.withGraph(0).execute();
            plan.withGraph(1).execute();
            TornadoRuntimeException e = assertThrows(TornadoRuntimeException.class, () -> plan.withGraph(2).execute());
            assertTrue(e.getMessage().contains("'b' did not keep on the device"), e.getMessage());
        }
    }

    /** A chain of n scale tasks: 7 n + 7 nodes as counted here (TornadoVM's own count, 6 n + 7, lets it run 168). */
    private static TaskGraph parallelChain(String name, int n, FloatArray in, FloatArray[] last) {
        TaskGraph g = new TaskGraph(name).transferToDevice(DataTransferMode.EVERY_EXECUTION, in);
        FloatArray prev = in;
        for (int t = 0; t < n; t++) {
            FloatArray y = new FloatArray(4);
            g.task("t" + t, MultiGraphTest::scale, prev, y, 1f, 4);
            prev = y;
        }
        last[0] = prev;
        return g.transferToHost(DataTransferMode.EVERY_EXECUTION, prev);
    }

    @Test
    void graphNodesAreCountedAsAnUpperBoundOfTornadoVMs() throws Exception {
        FloatArray in = FloatArray.fromElements(1, 2, 3, 4);
        FloatArray[] last = new FloatArray[1];
        ImmutableTaskGraph fits = parallelChain("fits", 145, in, last).snapshot();
        assertEquals(1022, JvmGraphLimits.nodes(fits));
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(fits)) {
            plan.execute();
        }
        assertEquals(4f, last[0].get(3));
        ImmutableTaskGraph over = parallelChain("over", 146, in, last).snapshot();
        assertEquals(1029, JvmGraphLimits.nodes(over));
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(over)) {
            TornadoRuntimeException e = assertThrows(TornadoRuntimeException.class, plan::execute);
            assertTrue(e.getMessage().contains("'over' needs 1029 graph nodes"), e.getMessage());
        }
    }
}
