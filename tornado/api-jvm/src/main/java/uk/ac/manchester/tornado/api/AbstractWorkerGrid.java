package uk.ac.manchester.tornado.api;

/** Sizes of a grid in three dimensions; unused dimensions are 1. The local size is null until set. */
public abstract class AbstractWorkerGrid implements WorkerGrid {

    protected long[] globalWork;
    protected long[] localWork;
    protected long[] numOfWorkgroups;
    protected long[] globalOffset;

    protected AbstractWorkerGrid(long x, long y, long z) {
        globalWork = new long[] {x, y, z};
        globalOffset = new long[] {0, 0, 0};
    }

    @Override
    public long[] getGlobalWork() {
        return globalWork;
    }

    @Override
    public long[] getLocalWork() {
        return localWork;
    }

    @Override
    public long[] getNumberOfWorkgroups() {
        return numOfWorkgroups;
    }

    @Override
    public long[] getGlobalOffset() {
        return globalOffset;
    }

    @Override
    public void setGlobalWork(long x, long y, long z) {
        globalWork = new long[] {x, y, z};
    }

    @Override
    public void setLocalWork(long x, long y, long z) {
        localWork = new long[] {x, y, z};
        numOfWorkgroups = new long[globalWork.length];
        for (int i = 0; i < globalWork.length; i++) {
            numOfWorkgroups[i] = globalWork[i] / localWork[i];
        }
    }

    @Override
    public void setGlobalOffset(long x, long y, long z) {
        globalOffset = new long[] {x, y, z};
    }

    @Override
    public void setLocalWorkToNull() {
        localWork = null;
    }

    @Override
    public void setNumberOfWorkgroupsToNull() {
        numOfWorkgroups = null;
    }
}
