package uk.ac.manchester.tornado.api.types.arrays;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Off-heap array of short (TornadoVM's {@code ShortArray}): a header then the elements, in one memory segment.
 * {@link #get}/{@link #set} are bounds-checked by the segment (IndexOutOfBoundsException, never a crash).
 */
public final class ShortArray extends TornadoNativeArray {

    private static final ValueLayout.OfShort LAYOUT = ValueLayout.JAVA_SHORT;
    private static final int ELEMENT_BYTES = 2;

    private final MemorySegment segment;
    private final MemorySegment data;
    private final int size;

    public ShortArray(int numberOfElements) {
        this(allocate(numberOfElements, ELEMENT_BYTES));
    }

    private ShortArray(MemorySegment withHeader) {
        this(withHeader, withHeader.asSlice(ARRAY_HEADER));
    }

    private ShortArray(MemorySegment segment, MemorySegment data) {
        this.segment = segment;
        this.data = data;
        this.size = elementCount(data, ELEMENT_BYTES);
    }

    /** Concatenates {@code arrays} into a new array. */
    public ShortArray(ShortArray... arrays) {
        this(allocate(totalSize(arrays), ELEMENT_BYTES));
        long offset = 0;
        for (ShortArray a : arrays) {
            MemorySegment.copy(a.data, 0, data, offset, a.data.byteSize());
            offset += a.data.byteSize();
        }
    }

    private static long totalSize(ShortArray[] arrays) {
        long n = 0;
        for (ShortArray a : arrays) {
            n += a.size;
        }
        return n;
    }

    public static ShortArray fromArray(short[] values) {
        ShortArray a = new ShortArray(values.length);
        MemorySegment.copy(MemorySegment.ofArray(values), 0, a.data, 0, (long) values.length * ELEMENT_BYTES);
        return a;
    }

    public static ShortArray fromElements(short... values) {
        return fromArray(values);
    }

    /** A new array holding a copy of {@code segment} (raw elements, no header). */
    public static ShortArray fromSegment(MemorySegment segment) {
        ShortArray a = new ShortArray(elementCount(segment, ELEMENT_BYTES));
        MemorySegment.copy(segment, 0, a.data, 0, segment.byteSize());
        return a;
    }

    /** An array backed by {@code segment} itself, which must start with a header. */
    public static ShortArray fromSegmentShallow(MemorySegment segment) {
        return new ShortArray(withHeader(segment, ELEMENT_BYTES));
    }

    public static ShortArray fromShortBuffer(java.nio.ShortBuffer buffer) {
        ShortArray a = new ShortArray(buffer.remaining());
        for (int i = 0; i < a.size; i++) {
            a.set(i, buffer.get(buffer.position() + i));
        }
        return a;
    }

    public static void initialize(ShortArray array, short value) {
        array.init(value);
    }

    public static ShortArray concat(ShortArray... arrays) {
        return new ShortArray(arrays);
    }

    public short[] toHeapArray() {
        return data.toArray(LAYOUT);
    }

    public void set(int index, short value) {
        data.setAtIndex(LAYOUT, index, value);
    }

    public short get(int index) {
        return data.getAtIndex(LAYOUT, index);
    }

    public void clear() {
        data.fill((byte) 0);
    }

    public int getElementSize() {
        return ELEMENT_BYTES;
    }

    public void init(short value) {
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
    public ShortArray slice(int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > size) {
            throw new IllegalArgumentException("slice [" + offset + ", " + offset + " + " + length + ") is out of bounds for size " + size);
        }
        MemorySegment view = data.asSlice((long) offset * ELEMENT_BYTES, (long) length * ELEMENT_BYTES);
        return new ShortArray(view, view);
    }
}
