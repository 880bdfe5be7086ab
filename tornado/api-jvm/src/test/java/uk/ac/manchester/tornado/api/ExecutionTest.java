package uk.ac.manchester.tornado.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;
import org.vitornado.jvmapi.JvmTornado;

import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;
import uk.ac.manchester.tornado.api.enums.TornadoDeviceType;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.exceptions.TornadoBackendNotFound;
import uk.ac.manchester.tornado.api.exceptions.TornadoDeviceNotFound;
import uk.ac.manchester.tornado.api.exceptions.TornadoRuntimeException;
import uk.ac.manchester.tornado.api.exceptions.TornadoTaskRuntimeException;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Task graphs, plans and grids on the JVM, with kernels written as TornadoVM programs write them. */
class ExecutionTest {

    static void vectorAdd(FloatArray a, FloatArray b, FloatArray c, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            c.set(i, a.get(i) + b.get(i));
        }
    }

    /** C[i, j] = sum_k A[i, k] B[k, j]; 2D grid x = j, y = i, padded past the matrix. */
    static void matmul(KernelContext ctx, FloatArray a, FloatArray b, FloatArray c, int m, int k, int n) {
        int j = ctx.globalIdx;
        int i = ctx.globalIdy;
        if (i < m && j < n) {
            float acc = 0;
            for (int p = 0; p < k; p++) {
                acc += a.get(i * k + p) * b.get(p * n + j);
            }
            c.set(i * n + j, acc);
        }
    }

    /** Per-group sum through local memory with barriers (tree reduction); out[group] = sum of its 64 inputs. */
    static void groupSum(KernelContext ctx, FloatArray in, FloatArray out) {
        float[] local = ctx.allocateFloatLocalArray(64);
        int l = ctx.localIdx;
        local[l] = in.get(ctx.globalIdx);
        for (int stride = ctx.localGroupSizeX / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (l < stride) {
                local[l] += local[l + stride];
            }
        }
        ctx.localBarrier();
        if (l == 0) {
            out.set(ctx.groupIdx, local[0]);
        }
    }

    static void countAll(KernelContext ctx, IntArray counter, FloatArray sum) {
        ctx.atomicAdd(counter, 0, 1);
        ctx.atomicAdd(sum, 0, 0.5f);
    }

    static void recordIds(KernelContext ctx, IntArray ids) {
        int x = ctx.globalIdx;
        int y = ctx.globalIdy;
        int z = ctx.globalIdz;
        int flat = (z * ctx.globalGroupSizeY + y) * ctx.globalGroupSizeX + x;
        ids.set(flat * 4, x + 100 * y + 10000 * z);
        ids.set(flat * 4 + 1, ctx.localIdx + 100 * ctx.localIdy + 10000 * ctx.localIdz);
        ids.set(flat * 4 + 2, ctx.groupIdx + 100 * ctx.groupIdy + 10000 * ctx.groupIdz);
        ids.set(flat * 4 + 3, ctx.localGroupSizeX * ctx.localGroupSizeY * ctx.localGroupSizeZ);
    }

    static void outOfBounds(KernelContext ctx, FloatArray a) {
        a.set(ctx.globalIdx + 1000, 1);
    }

    static void run(TaskGraph graph, GridScheduler grids) {
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(graph.snapshot())) {
            plan.withGridScheduler(grids).execute();
        } catch (Exception e) {
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e);
        }
    }

    @Test
    void parallelLoopTaskRuns() {
        FloatArray a = FloatArray.fromElements(1, 2, 3);
        FloatArray b = FloatArray.fromElements(10, 20, 30);
        FloatArray c = new FloatArray(3);
        TaskGraph g = new TaskGraph("s0").transferToDevice(DataTransferMode.EVERY_EXECUTION, a, b)
                .task("add", ExecutionTest::vectorAdd, a, b, c, 3).transferToHost(DataTransferMode.EVERY_EXECUTION, c);
        run(g, new GridScheduler());
        assertEquals(33f, c.get(2));
    }

    @Test
    void matmulOnAPaddedTwoDimensionalGrid() {
        int m = 37;
        int k = 19;
        int n = 23;
        FloatArray a = new FloatArray(m * k);
        FloatArray b = new FloatArray(k * n);
        for (int i = 0; i < a.getSize(); i++) {
            a.set(i, (i % 7) - 3);
        }
        for (int i = 0; i < b.getSize(); i++) {
            b.set(i, (i % 5) - 2);
        }
        FloatArray c = new FloatArray(m * n);
        KernelContext ctx = new KernelContext();
        TaskGraph g = new TaskGraph("s1").task("mm", ExecutionTest::matmul, ctx, a, b, c, m, k, n);
        WorkerGrid grid = new WorkerGrid2D(32, 48);
        grid.setLocalWork(16, 16, 1);
        run(g, new GridScheduler("s1.mm", grid));
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float want = 0;
                for (int p = 0; p < k; p++) {
                    want += a.get(i * k + p) * b.get(p * n + j);
                }
                assertEquals(want, c.get(i * n + j), "C[" + i + "," + j + "]");
            }
        }
    }

    @Test
    void localMemoryReductionWithBarriersIsExact() {
        int groups = 9;
        FloatArray in = new FloatArray(groups * 64);
        for (int i = 0; i < in.getSize(); i++) {
            in.set(i, i % 13);
        }
        FloatArray out = new FloatArray(groups);
        KernelContext ctx = new KernelContext();
        TaskGraph g = new TaskGraph("s2").task("sum", ExecutionTest::groupSum, ctx, in, out);
        WorkerGrid grid = new WorkerGrid1D(groups * 64);
        grid.setLocalWork(64, 1, 1);
        GridScheduler grids = new GridScheduler("s2.sum", grid);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(grids);
            for (int run = 0; run < 2; run++) { // the second run uses the cached (cooperative) mode
                out.init(-1);
                plan.execute();
                for (int gi = 0; gi < groups; gi++) {
                    float want = 0;
                    for (int i = 0; i < 64; i++) {
                        want += in.get(gi * 64 + i);
                    }
                    assertEquals(want, out.get(gi), "group " + gi + " run " + run);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void atomicAddsFromManyWorkItemsAreAllCounted() {
        IntArray counter = new IntArray(1);
        FloatArray sum = new FloatArray(1);
        KernelContext ctx = new KernelContext();
        TaskGraph g = new TaskGraph("s3").task("count", ExecutionTest::countAll, ctx, counter, sum);
        WorkerGrid grid = new WorkerGrid1D(40_000);
        grid.setLocalWork(100, 1, 1);
        run(g, new GridScheduler("s3.count", grid));
        assertEquals(40_000, counter.get(0));
        assertEquals(20_000f, sum.get(0));
    }

    @Test
    void workItemIdsIn1D2D3D() {
        int gx = 6;
        int gy = 4;
        int gz = 2;
        IntArray ids = new IntArray(gx * gy * gz * 4);
        KernelContext ctx = new KernelContext();
        TaskGraph g = new TaskGraph("s4").task("ids", ExecutionTest::recordIds, ctx, ids);
        WorkerGrid grid = new WorkerGrid3D(gx, gy, gz);
        grid.setLocalWork(3, 2, 1);
        run(g, new GridScheduler("s4.ids", grid));
        for (int z = 0; z < gz; z++) {
            for (int y = 0; y < gy; y++) {
                for (int x = 0; x < gx; x++) {
                    int flat = ((z * gy + y) * gx + x) * 4;
                    assertEquals(x + 100 * y + 10000 * z, ids.get(flat));
                    assertEquals(x % 3 + 100 * (y % 2), ids.get(flat + 1));
                    assertEquals(x / 3 + 100 * (y / 2) + 10000 * z, ids.get(flat + 2));
                    assertEquals(6, ids.get(flat + 3));
                }
            }
        }
    }

    @Test
    void kernelContextIdsAreIntegers() throws NoSuchFieldException {
        for (String name : new String[] {"globalIdx", "globalIdy", "globalIdz", "localIdx", "groupIdx", "localGroupSizeX", "globalGroupSizeZ"}) {
            Field f = KernelContext.class.getField(name);
            assertEquals(Integer.class, f.getType(), name);
        }
    }

    @Test
    void workGroupsRunOnSeveralThreads() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        FloatArray sink = new FloatArray(1);
        TaskGraph g = new TaskGraph("s5").task("spin", (KernelContext c, FloatArray s) -> {
            threads.add(Thread.currentThread().getName());
            double x = 0;
            for (int i = 0; i < 20_000; i++) {
                x += Math.sqrt(i);
            }
            if (x < 0) {
                s.set(0, (float) x);
            }
        }, new KernelContext(), sink);
        WorkerGrid grid = new WorkerGrid1D(4096);
        grid.setLocalWork(64, 1, 1);
        run(g, new GridScheduler("s5.spin", grid));
        assertTrue(threads.size() >= Math.min(2, JvmTornado.threads()), "threads used: " + threads);
    }

    @Test
    void failingKernelNamesItsTask() {
        FloatArray a = new FloatArray(4);
        TaskGraph g = new TaskGraph("s6").task("oob", ExecutionTest::outOfBounds, new KernelContext(), a);
        TornadoTaskRuntimeException e = assertThrows(TornadoTaskRuntimeException.class,
                () -> run(g, new GridScheduler("s6.oob", new WorkerGrid1D(4))));
        assertTrue(e.getMessage().contains("s6.oob"), e.getMessage());
        assertTrue(e.getCause() instanceof IndexOutOfBoundsException, String.valueOf(e.getCause()));
    }

    @Test
    void missingGridAndBadGridsAreClearErrors() {
        FloatArray a = new FloatArray(4);
        TaskGraph g = new TaskGraph("s7").task("oob", ExecutionTest::outOfBounds, new KernelContext(), a);
        TornadoRuntimeException missing = assertThrows(TornadoRuntimeException.class, () -> run(g, new GridScheduler()));
        assertTrue(missing.getMessage().contains("s7.oob") && missing.getMessage().contains("GridScheduler"), missing.getMessage());
        WorkerGrid uneven = new WorkerGrid1D(10);
        uneven.setLocalWork(4, 1, 1);
        TaskGraph g2 = new TaskGraph("s8").task("k", ExecutionTest::outOfBounds, new KernelContext(), a);
        TornadoRuntimeException e = assertThrows(TornadoRuntimeException.class, () -> run(g2, new GridScheduler("s8.k", uneven)));
        assertTrue(e.getMessage().contains("not a multiple"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TaskGraph("x").task("t", ExecutionTest::vectorAdd, a, null, a, 1));
        assertThrows(IllegalArgumentException.class, () -> new TaskGraph("x").transferToDevice(DataTransferMode.FIRST_EXECUTION, (Object) null));
    }

    @Test
    void planSelectsGraphsAndProfiles() throws Exception {
        FloatArray a = FloatArray.fromElements(1);
        FloatArray b = FloatArray.fromElements(2);
        FloatArray c = new FloatArray(1);
        FloatArray d = new FloatArray(1);
        TaskGraph g0 = new TaskGraph("first").transferToDevice(DataTransferMode.FIRST_EXECUTION, a, b)
                .task("add", ExecutionTest::vectorAdd, a, b, c, 1).transferToHost(DataTransferMode.EVERY_EXECUTION, c);
        TaskGraph g1 = new TaskGraph("second").task("add", ExecutionTest::vectorAdd, c, c, d, 1)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, d);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g0.snapshot(), g1.snapshot())) {
            plan.withGraph(1).execute();
            assertEquals(0f, d.get(0), "graph 1 alone sees c = 0");
            TornadoExecutionResult r = plan.withAllGraphs().withProfiler(ProfilerMode.SILENT).execute();
            assertEquals(6f, d.get(0));
            TornadoProfilerResult p = r.getProfilerResult();
            assertTrue(p.getTotalTime() > 0 && p.getDeviceKernelTime() > 0);
            assertEquals(8, p.getTotalBytesCopyIn(), "FIRST_EXECUTION inputs count once, on the first full run");
            assertEquals(8, p.getTotalBytesCopyOut());
            assertTrue(p.getProfileLog().contains("\"first.add\"") && p.getProfileLog().contains("TASK_KERNEL_TIME"), p.getProfileLog());
            assertThrows(TornadoRuntimeException.class, () -> plan.withGraph(2));
        }
    }

    @Test
    void deviceListingHasTheJvmDevice() {
        var device = TornadoExecutionPlan.getDevice(0, 0);
        assertEquals(TornadoDeviceType.CPU, device.getDeviceType());
        assertEquals(TornadoVMBackendType.JAVA, device.getTornadoVMBackend());
        assertTrue(device.getDeviceName().startsWith("JVM ("));
        TornadoDeviceMap map = TornadoExecutionPlan.getTornadoDeviceMap();
        assertEquals(1, map.getNumBackends());
        assertEquals(1, map.getAllBackends().get(0).getNumDevices());
        assertEquals(1, map.getDevicesByType(TornadoDeviceType.CPU).count());
        assertThrows(TornadoDeviceNotFound.class, () -> TornadoExecutionPlan.getDevice(0, 1));
        assertThrows(TornadoBackendNotFound.class, () -> TornadoExecutionPlan.getDevice(1, 0));
    }

    @Test
    void gridsAndSchedulerKeepTheirSizes() {
        WorkerGrid g = new WorkerGrid2D(64, 8);
        assertEquals(2, g.dimension());
        assertEquals(null, g.getLocalWork());
        g.setLocalWork(16, 4, 1);
        assertEquals(4, g.getNumberOfWorkgroups()[0]);
        assertEquals(2, g.getNumberOfWorkgroups()[1]);
        g.setLocalWorkToNull();
        assertEquals(null, g.getLocalWork());
        GridScheduler s = new GridScheduler("a.b", g);
        assertTrue(s.contains("a", "b"));
        assertEquals(Set.of("a.b"), s.keySet());
        assertEquals(3, new WorkerGrid3D(1, 2, 3).dimension());
        assertEquals(1, WorkerGrid1D.DIM);
    }

    @Test
    void tornadoMathMatchesJavaMath() {
        for (float x : new float[] {-2.5f, -0.3f, 0f, 0.7f, 3.2f}) {
            assertEquals((float) Math.exp(x), TornadoMath.exp(x));
            assertEquals((float) Math.floor(x), TornadoMath.floor(x));
            assertEquals(x - (float) Math.floor(x), TornadoMath.fract(x));
            assertEquals((float) Math.tanh(x), TornadoMath.tanh(x));
            assertEquals(Math.abs(x), TornadoMath.abs(x));
            assertEquals(Math.signum(x), TornadoMath.signum(x));
        }
        assertEquals(3f, TornadoMath.log2(8f), 1e-6f);
        assertEquals(2, TornadoMath.clamp(5, 0, 2));
        assertEquals(0.5f, TornadoMath.clamp(0.5f, 0f, 1f));
        assertEquals((float) Math.PI, TornadoMath.floatPI());
        assertEquals(0f, TornadoMath.sinpi(1f), 1e-6f);
        assertEquals(3, TornadoMath.max(3, -1));
        assertEquals(2.0, TornadoMath.sqrt(4.0));
    }
}
