package org.vitornado.kernels;

import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid2D;

/**
 * Host-side helpers that size KernelContext grids: global sizes are rounded up to a multiple of the local
 * (work-group) size, as OpenCL requires, so every kernel guards its ids against the real extent.
 */
public final class Grids {

    private Grids() {
    }

    public static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    /** How many blocks of {@code size} cover {@code n}. */
    public static int ceilDiv(int n, int size) {
        return (n + size - 1) / size;
    }

    /** {@code n} work-items in groups of {@code local}. */
    public static WorkerGrid grid1D(int n, int local) {
        int l = Math.max(1, Math.min(local, n));
        WorkerGrid g = new WorkerGrid1D(roundUp(Math.max(n, 1), l));
        g.setLocalWork(l, 1, 1);
        return g;
    }

    /** {@code nx x ny} work-items in groups of {@code lx x ly}. */
    public static WorkerGrid grid2D(int nx, int ny, int lx, int ly) {
        int x = Math.max(1, Math.min(lx, nx));
        int y = Math.max(1, Math.min(ly, ny));
        WorkerGrid g = new WorkerGrid2D(roundUp(Math.max(nx, 1), x), roundUp(Math.max(ny, 1), y));
        g.setLocalWork(x, y, 1);
        return g;
    }
}
