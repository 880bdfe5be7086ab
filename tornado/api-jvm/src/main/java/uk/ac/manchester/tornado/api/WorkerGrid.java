package uk.ac.manchester.tornado.api;

/** The global and local (work-group) sizes a KernelContext kernel is dispatched on. */
public interface WorkerGrid {

    int dimension();

    long[] getGlobalWork();

    long[] getLocalWork();

    long[] getNumberOfWorkgroups();

    long[] getGlobalOffset();

    void setGlobalWork(long x, long y, long z);

    void setLocalWork(long x, long y, long z);

    void setNumberOfWorkgroupsToNull();

    void setLocalWorkToNull();

    void setGlobalOffset(long x, long y, long z);
}
