package uk.ac.manchester.tornado.api;

/** What a kernel can ask of the work-item it runs as. */
public interface ExecutionContext {

    void localBarrier();

    void globalBarrier();

    int[] allocateIntLocalArray(int size);

    float[] allocateFloatLocalArray(int size);

    double[] allocateDoubleLocalArray(int size);

    long[] allocateLongLocalArray(int size);

    byte[] allocateByteLocalArray(int size);
}
