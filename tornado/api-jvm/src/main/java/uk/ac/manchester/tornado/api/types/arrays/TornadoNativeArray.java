package uk.ac.manchester.tornado.api.types.arrays;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * Base of TornadoVM's off-heap arrays. As in TornadoVM, each array is one memory segment that starts with a
 * header ({@link #ARRAY_HEADER} bytes, the element count in its first int) followed by the elements; kernels and
 * {@link #getSegment()} see only the elements.
 */
public abstract class TornadoNativeArray {

    /** Header bytes before the data: 16, or 24 without compressed oops (as TornadoVM sizes it). */
    public static final long ARRAY_HEADER = Long.parseLong(System.getProperty("tornado.panama.objectHeader", defaultHeaderSize()));

    private static String defaultHeaderSize() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        return args.contains("-XX:-UseCompressedOops") || args.contains("-XX:-UseCompressedClassPointers") ? "24" : "16";
    }

    public TornadoNativeArray() {
    }

    public abstract int getSize();

    public abstract MemorySegment getSegment();

    public abstract MemorySegment getSegmentWithHeader();

    public abstract long getNumBytesOfSegmentWithHeader();

    public abstract long getNumBytesOfSegment();

    public abstract int getElementSize();

    /** A fresh zeroed segment for {@code count} elements of {@code elementBytes}, header written. */
    static MemorySegment allocate(long count, long elementBytes) {
        if (count < 0) {
            throw new IllegalArgumentException("negative array size: " + count);
        }
        MemorySegment s = Arena.ofAuto().allocate(ARRAY_HEADER + count * elementBytes, 8);
        s.set(ValueLayout.JAVA_INT, 0, (int) count);
        return s;
    }

    /** Wraps a segment that already holds a header and data (shallow). */
    static MemorySegment withHeader(MemorySegment existing, long elementBytes) {
        long bytes = existing.byteSize() - ARRAY_HEADER;
        if (bytes < 0 || bytes % elementBytes != 0) {
            throw new IllegalArgumentException("The byte size (" + bytes + ") is not a multiple of the element size (" + elementBytes + ")");
        }
        return existing;
    }

    static int elementCount(MemorySegment data, long elementBytes) {
        if (data.byteSize() % elementBytes != 0) {
            throw new IllegalArgumentException("The byte size (" + data.byteSize() + ") is not a multiple of the element size (" + elementBytes + ")");
        }
        return Math.toIntExact(data.byteSize() / elementBytes);
    }
}
