package uk.ac.manchester.tornado.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.FloatBuffer;

import org.junit.jupiter.api.Test;

import uk.ac.manchester.tornado.api.types.HalfFloat;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.HalfFloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.LongArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;
import uk.ac.manchester.tornado.api.types.arrays.TornadoNativeArray;

class ArraysTest {

    @Test
    void floatArrayStoresOffHeapWithAHeader() {
        FloatArray a = new FloatArray(5);
        assertEquals(5, a.getSize());
        assertEquals(4, a.getElementSize());
        assertEquals(20, a.getNumBytesOfSegment());
        assertEquals(20 + TornadoNativeArray.ARRAY_HEADER, a.getNumBytesOfSegmentWithHeader());
        assertEquals(5, a.getSegmentWithHeader().get(ValueLayout.JAVA_INT, 0), "the header holds the element count");
        a.set(4, 2.5f);
        assertEquals(2.5f, a.get(4));
        assertEquals(2.5f, a.getSegment().getAtIndex(ValueLayout.JAVA_FLOAT, 4));
        a.init(1f);
        assertArrayEquals(new float[] {1, 1, 1, 1, 1}, a.toHeapArray());
        a.clear();
        assertArrayEquals(new float[5], a.toHeapArray());
        assertThrows(IndexOutOfBoundsException.class, () -> a.get(5));
        assertThrows(IndexOutOfBoundsException.class, () -> a.set(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> new FloatArray(-1));
    }

    @Test
    void floatArrayFactoriesCopyOrShare() {
        FloatArray a = FloatArray.fromArray(new float[] {1, 2, 3});
        assertArrayEquals(new float[] {1, 2, 3}, FloatArray.fromElements(1, 2, 3).toHeapArray());
        FloatArray copy = FloatArray.fromSegment(a.getSegment());
        copy.set(0, 9);
        assertEquals(1, a.get(0), "fromSegment copies");
        FloatArray shallow = FloatArray.fromSegmentShallow(a.getSegmentWithHeader());
        shallow.set(0, 9);
        assertEquals(9, a.get(0), "fromSegmentShallow shares");
        assertArrayEquals(new float[] {9, 2, 3, 4}, FloatArray.concat(a, FloatArray.fromElements(4)).toHeapArray());
        assertArrayEquals(new float[] {5, 6}, FloatArray.fromFloatBuffer(FloatBuffer.wrap(new float[] {5, 6})).toHeapArray());
        FloatArray slice = a.slice(1, 2);
        slice.set(0, 7);
        assertEquals(7, a.get(1), "a slice is a view");
        assertEquals(2, slice.getSize());
        assertThrows(IllegalArgumentException.class, () -> a.slice(2, 2));
        FloatArray.initialize(a, 3);
        assertArrayEquals(new float[] {3, 3, 3}, a.toHeapArray());
        MemorySegment odd = Arena.ofAuto().allocate(6);
        assertThrows(IllegalArgumentException.class, () -> FloatArray.fromSegment(odd));
    }

    @Test
    void otherArraysRoundTrip() {
        assertArrayEquals(new int[] {1, -2}, IntArray.fromArray(new int[] {1, -2}).toHeapArray());
        assertArrayEquals(new double[] {0.5}, DoubleArray.fromElements(0.5).toHeapArray());
        assertArrayEquals(new long[] {Long.MAX_VALUE}, LongArray.fromElements(Long.MAX_VALUE).toHeapArray());
        assertArrayEquals(new short[] {-3}, ShortArray.fromElements((short) -3).toHeapArray());
        assertArrayEquals(new byte[] {7, 8}, ByteArray.fromElements((byte) 7, (byte) 8).toHeapArray());
        HalfFloatArray h = new HalfFloatArray(2);
        h.set(1, new HalfFloat(1.5f));
        assertEquals(1.5f, h.get(1).getFloat32());
        assertArrayEquals(new short[] {0, Float.floatToFloat16(1.5f)}, h.toShortArray());
        assertEquals(2, h.getElementSize());
    }

    @Test
    void halfFloatRoundsThroughBinary16() {
        assertEquals(0.0999755859375f, new HalfFloat(0.1f).getFloat32());
        assertEquals(3f, HalfFloat.add(new HalfFloat(1f), new HalfFloat(2f)).getFloat32());
        assertEquals(-1f, HalfFloat.sub(new HalfFloat(1f), new HalfFloat(2f)).getFloat32());
        assertEquals(6f, HalfFloat.mult(new HalfFloat(2f), new HalfFloat(3f)).getFloat32());
        assertEquals(0.5f, HalfFloat.div(new HalfFloat(1f), new HalfFloat(2f)).getFloat32());
        assertEquals(Float.floatToFloat16(65504f), new HalfFloat(65504f).getHalfFloatValue());
    }
}
