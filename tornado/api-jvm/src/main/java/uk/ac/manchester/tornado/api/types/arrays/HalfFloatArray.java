package uk.ac.manchester.tornado.api.types.arrays;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import uk.ac.manchester.tornado.api.types.HalfFloat;

/** Off-heap array of fp16 values (TornadoVM's {@code HalfFloatArray}), stored as raw binary16 shorts. */
public final class HalfFloatArray extends TornadoNativeArray {

    private static final ValueLayout.OfShort LAYOUT = ValueLayout.JAVA_SHORT;
    private static final int ELEMENT_BYTES = 2;

    private final MemorySegment segment;
    private final MemorySegment data;
    private final int size;

    public HalfFloatArray(int numberOfElements) {
        this(allocate(numberOfElements, ELEMENT_BYTES));
    }

    private HalfFloatArray(MemorySegment withHeader) {
        this(withHeader, withHeader.asSlice(ARRAY_HEADER));
    }

    private HalfFloatArray(MemorySegment segment, MemorySegment data) {
        this.segment = segment;
        this.data = data;
        this.size = elementCount(data, ELEMENT_BYTES);
    }

    public HalfFloatArray(HalfFloatArray... arrays) {
        this(allocate(java.util.Arrays.stream(arrays).mapToLong(HalfFloatArray::getSize).sum(), ELEMENT_BYTES));
        long offset = 0;
        for (HalfFloatArray a : arrays) {
            MemorySegment.copy(a.data, 0, data, offset, a.data.byteSize());
            offset += a.data.byteSize();
        }
    }

    public static HalfFloatArray fromArray(HalfFloat[] values) {
        HalfFloatArray a = new HalfFloatArray(values.length);
        for (int i = 0; i < values.length; i++) {
            a.set(i, values[i]);
        }
        return a;
    }

    public static HalfFloatArray fromElements(HalfFloat... values) {
        return fromArray(values);
    }

    public static HalfFloatArray fromSegment(MemorySegment segment) {
        HalfFloatArray a = new HalfFloatArray(elementCount(segment, ELEMENT_BYTES));
        MemorySegment.copy(segment, 0, a.data, 0, segment.byteSize());
        return a;
    }

    public static HalfFloatArray fromSegmentShallow(MemorySegment segment) {
        return new HalfFloatArray(withHeader(segment, ELEMENT_BYTES));
    }

    public static void initialize(HalfFloatArray array, HalfFloat value) {
        array.init(value);
    }

    public static HalfFloatArray concat(HalfFloatArray... arrays) {
        return new HalfFloatArray(arrays);
    }

    public HalfFloat[] toHeapArray() {
        HalfFloat[] out = new HalfFloat[size];
        for (int i = 0; i < size; i++) {
            out[i] = get(i);
        }
        return out;
    }

    public short[] toShortArray() {
        return data.toArray(LAYOUT);
    }

    public void set(int index, HalfFloat value) {
        data.setAtIndex(LAYOUT, index, value.getHalfFloatValue());
    }

    public HalfFloat get(int index) {
        return new HalfFloat(data.getAtIndex(LAYOUT, index));
    }

    public void clear() {
        data.fill((byte) 0);
    }

    public int getElementSize() {
        return ELEMENT_BYTES;
    }

    public void init(HalfFloat value) {
        for (int i = 0; i < size; i++) {
            set(i, value);
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

    public HalfFloatArray slice(int offset, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > size) {
            throw new IllegalArgumentException("slice [" + offset + ", " + offset + " + " + length + ") is out of bounds for size " + size);
        }
        MemorySegment view = data.asSlice((long) offset * ELEMENT_BYTES, (long) length * ELEMENT_BYTES);
        return new HalfFloatArray(view, view);
    }
}
