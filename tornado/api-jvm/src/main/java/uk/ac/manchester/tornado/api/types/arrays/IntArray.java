package uk.ac.manchester.tornado.api.types.arrays;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Off-heap array of int (TornadoVM's {@code IntArray}): a header then the elements, in one memory segment.
 * {@link #get}/{@link #set} are bounds-checked by the segment (IndexOutOfBoundsException, never a crash).
 */
public final class IntArray extends TornadoNativeArray {

    private static final ValueLayout.OfInt LAYOUT = ValueLayout.JAVA_INT;
    private static final int ELEMENT_BYTES = 4;

    private final MemorySegment segment;
    private final MemorySegment data;
    private final int size;

    public IntArray(int numberOfElements) {
        this(allocate(numberOfElements, ELEMENT_BYTES));
    }

    private IntArray(MemorySegment withHeader) {
        this(withHeader, withHeader.asSlice(ARRAY_HEADER));
    }

    private IntArray(MemorySegment segment, MemorySegment data) {
        this.segment = segment;
        this.data = data;
        this.size = elementCount(data, ELEMENT_BYTES);
    }

    /** Concatenates {@code arrays} into a new array. */
    public IntArray(IntArray... arrays) {
        this(allocate(totalSize(arrays), ELEMENT_BYTES));
        long offset = 0;
        for (IntArray a : arrays) {
            MemorySegment.copy(a.data, 0, data, offset, a.data.byteSize());
            offset += a.data.byteSize();
        }
    }

    private static long totalSize(IntArray[] arrays) {
        long n = 0;
        for (IntArray a : arrays) {
            n += a.size;
        }
        return n;
    }

    public static IntArray fromArray(int[] values) {
        IntArray a = new IntArray(values.length);
        MemorySegment.copy(MemorySegment.ofArray(values), 0, a.data, 0, (long) values.length * ELEMENT_BYTES);
        return a;
    }

    public static IntArray fromElements(int... values) {
        return fromArray(values);
    }

    /** A new array holding a copy of {@code segment} (raw elements, no header). */
    public static IntArray fromSegment(MemorySegment segment) {
        IntArray a = new IntArray(elementCount(segment, ELEMENT_BYTES));
        MemorySegment.copy(segment, 0, a.data, 0, segment.byteSize());
        return a;
    }

    /** An array backed by {@code segment} itself, which must start with a header. */
    public static IntArray fromSegmentShallow(MemorySegment segment) {
        return new IntArray(withHeader(segment, ELEMENT_BYTES));
    }

    public static IntArray fromIntBuffer(java.nio.IntBuffer buffer) {
        IntArray a = new IntArray(buffer.remaining());
        for (int i = 0; i < a.size; i++) {
            a.set(i, buffer.get(buffer.position() + i));
        }
        return a;
    }

    public static void initialize(IntArray array, int value) {
        array.init(value);
    }

    public static IntArray concat(IntArray... arrays) {
        return new IntArray(arrays);
    }

    public int[] toHeapArray() {
        return data.toArray(LAYOUT);
    }

    public void set(int index, int value) {
        data.setAtIndex(LAYOUT, index, value);
    }

    public int get(int index) {
        return data.getAtIndex(LAYOUT, index);
    }

    public void clear() {
        data.fill((byte) 0);
    }

    public int getElementSize() {
        return ELEMENT_BYTES;
    }

    public void init(int value) {
        for (int i = 0; i < size; i++) {
            data.setAtIndex(LAYOUT, i, value);
        }
    }

    public int getSize() {
        return size;
    }

    public MemorySegment getSegment() {
        return data;
    }

    public MemorySegment getSegmentWithHeader() {
        return segment;
    }

    public long getNumBytesOfSegmentWithHeader() {
        return segment.byteSize();
    }

    public long getNumBytesOfSegment() {
        return data.byteSize();
    }

    /** A view of elements {@code [offset, offset + length)} that shares this array's memory. */
    public IntArray slice(int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > size) {
            throw new IllegalArgumentException("slice [" + offset + ", " + offset + " + " + length + ") is out of bounds for size " + size);
        }
        MemorySegment view = data.asSlice((long) offset * ELEMENT_BYTES, (long) length * ELEMENT_BYTES);
        return new IntArray(view, view);
    }
}
