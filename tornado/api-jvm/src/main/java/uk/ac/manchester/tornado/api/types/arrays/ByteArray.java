package uk.ac.manchester.tornado.api.types.arrays;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Off-heap array of byte (TornadoVM's {@code ByteArray}): a header then the elements, in one memory segment.
 * {@link #get}/{@link #set} are bounds-checked by the segment (IndexOutOfBoundsException, never a crash).
 */
public final class ByteArray extends TornadoNativeArray {

    private static final ValueLayout.OfByte LAYOUT = ValueLayout.JAVA_BYTE;
    private static final int ELEMENT_BYTES = 1;

    private final MemorySegment segment;
    private final MemorySegment data;
    private final int size;

    public ByteArray(int numberOfElements) {
        this(allocate(numberOfElements, ELEMENT_BYTES));
    }

    private ByteArray(MemorySegment withHeader) {
        this(withHeader, withHeader.asSlice(ARRAY_HEADER));
    }

    private ByteArray(MemorySegment segment, MemorySegment data) {
        this.segment = segment;
        this.data = data;
        this.size = elementCount(data, ELEMENT_BYTES);
    }

    /** Concatenates {@code arrays} into a new array. */
    public ByteArray(ByteArray... arrays) {
        this(allocate(totalSize(arrays), ELEMENT_BYTES));
        long offset = 0;
        for (ByteArray a : arrays) {
            MemorySegment.copy(a.data, 0, data, offset, a.data.byteSize());
            offset += a.data.byteSize();
        }
    }

    private static long totalSize(ByteArray[] arrays) {
        long n = 0;
        for (ByteArray a : arrays) {
            n += a.size;
        }
        return n;
    }

    public static ByteArray fromArray(byte[] values) {
        ByteArray a = new ByteArray(values.length);
        MemorySegment.copy(MemorySegment.ofArray(values), 0, a.data, 0, (long) values.length * ELEMENT_BYTES);
        return a;
    }

    public static ByteArray fromElements(byte... values) {
        return fromArray(values);
    }

    /** A new array holding a copy of {@code segment} (raw elements, no header). */
    public static ByteArray fromSegment(MemorySegment segment) {
        ByteArray a = new ByteArray(elementCount(segment, ELEMENT_BYTES));
        MemorySegment.copy(segment, 0, a.data, 0, segment.byteSize());
        return a;
    }

    /** An array backed by {@code segment} itself, which must start with a header. */
    public static ByteArray fromSegmentShallow(MemorySegment segment) {
        return new ByteArray(withHeader(segment, ELEMENT_BYTES));
    }

    public static void initialize(ByteArray array, byte value) {
        array.init(value);
    }

    public static ByteArray concat(ByteArray... arrays) {
        return new ByteArray(arrays);
    }

    public byte[] toHeapArray() {
        return data.toArray(LAYOUT);
    }

    public void set(int index, byte value) {
        data.setAtIndex(LAYOUT, index, value);
    }

    public byte get(int index) {
        return data.getAtIndex(LAYOUT, index);
    }

    public void clear() {
        data.fill((byte) 0);
    }

    public int getElementSize() {
        return ELEMENT_BYTES;
    }

    public void init(byte value) {
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
    public ByteArray slice(int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > size) {
            throw new IllegalArgumentException("slice [" + offset + ", " + offset + " + " + length + ") is out of bounds for size " + size);
        }
        MemorySegment view = data.asSlice((long) offset * ELEMENT_BYTES, (long) length * ELEMENT_BYTES);
        return new ByteArray(view, view);
    }
}
