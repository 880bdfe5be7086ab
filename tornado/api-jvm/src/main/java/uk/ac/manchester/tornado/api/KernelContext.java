package uk.ac.manchester.tornado.api;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.LongArray;

/**
 * The work-item a KernelContext kernel runs as (TornadoVM's {@code KernelContext}). A program creates one and
 * passes it to its tasks; on the JVM every work-item gets its own instance with its ids set, and the
 * work-items of a group share local arrays and, in cooperative mode, a barrier.
 */
public class KernelContext implements ExecutionContext {

    public final Integer globalIdx;
    public final Integer globalIdy;
    public final Integer globalIdz;
    public final Integer groupIdx;
    public final Integer groupIdy;
    public final Integer groupIdz;
    public final Integer localIdx;
    public final Integer localIdy;
    public final Integer localIdz;
    public final Integer globalGroupSizeX;
    public final Integer globalGroupSizeY;
    public final Integer globalGroupSizeZ;
    public final Integer localGroupSizeX;
    public final Integer localGroupSizeY;
    public final Integer localGroupSizeZ;

    /** The work-group this work-item belongs to; null for the program's own instance. */
    private final JvmWorkGroup group;
    /** How many local arrays this work-item has asked for so far (the k-th request maps to the group's k-th array). */
    private int localAllocations;

    public KernelContext() {
        this(new int[3], new int[3], new int[3], new int[] {1, 1, 1}, new int[] {1, 1, 1}, null);
    }

    KernelContext(int[] global, int[] groupId, int[] local, int[] globalSize, int[] localSize, JvmWorkGroup group) {
        globalIdx = global[0];
        globalIdy = global[1];
        globalIdz = global[2];
        groupIdx = groupId[0];
        groupIdy = groupId[1];
        groupIdz = groupId[2];
        localIdx = local[0];
        localIdy = local[1];
        localIdz = local[2];
        globalGroupSizeX = globalSize[0];
        globalGroupSizeY = globalSize[1];
        globalGroupSizeZ = globalSize[2];
        localGroupSizeX = localSize[0];
        localGroupSizeY = localSize[1];
        localGroupSizeZ = localSize[2];
        this.group = group;
    }

    @Override
    public void localBarrier() {
        if (group != null) {
            group.barrier();
        }
    }

    @Override
    public void globalBarrier() {
        throw new UnsupportedOperationException("globalBarrier() is not supported by the JVM implementation of the TornadoVM API");
    }

    @Override
    public int[] allocateIntLocalArray(int size) {
        return group == null ? new int[size] : group.local(localAllocations++, () -> new int[size]);
    }

    @Override
    public byte[] allocateByteLocalArray(int size) {
        return group == null ? new byte[size] : group.local(localAllocations++, () -> new byte[size]);
    }

    @Override
    public long[] allocateLongLocalArray(int size) {
        return group == null ? new long[size] : group.local(localAllocations++, () -> new long[size]);
    }

    @Override
    public float[] allocateFloatLocalArray(int size) {
        return group == null ? new float[size] : group.local(localAllocations++, () -> new float[size]);
    }

    @Override
    public double[] allocateDoubleLocalArray(int size) {
        return group == null ? new double[size] : group.local(localAllocations++, () -> new double[size]);
    }

    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);

    public void atomicAdd(IntArray array, int index, int value) {
        ValueLayout.JAVA_INT.varHandle().getAndAdd(array.getSegment(), (long) index * Integer.BYTES, value);
    }

    public void atomicAdd(int[] array, int index, int value) {
        INTS.getAndAdd(array, index, value);
    }

    public void atomicAdd(LongArray array, int index, long value) {
        ValueLayout.JAVA_LONG.varHandle().getAndAdd(array.getSegment(), (long) index * Long.BYTES, value);
    }

    public void atomicAdd(FloatArray array, int index, float value) {
        VarHandle bits = ValueLayout.JAVA_INT.varHandle();
        long offset = (long) index * Float.BYTES;
        java.util.Objects.checkIndex(index, array.getSize());
        while (true) {
            int old = (int) bits.getVolatile(array.getSegment(), offset);
            int updated = Float.floatToRawIntBits(Float.intBitsToFloat(old) + value);
            if (bits.compareAndSet(array.getSegment(), offset, old, updated)) {
                return;
            }
        }
    }

    public void atomicAdd(DoubleArray array, int index, double value) {
        VarHandle bits = ValueLayout.JAVA_LONG.varHandle();
        long offset = (long) index * Double.BYTES;
        java.util.Objects.checkIndex(index, array.getSize());
        while (true) {
            long old = (long) bits.getVolatile(array.getSegment(), offset);
            long updated = Double.doubleToRawLongBits(Double.longBitsToDouble(old) + value);
            if (bits.compareAndSet(array.getSegment(), offset, old, updated)) {
                return;
            }
        }
    }
}
