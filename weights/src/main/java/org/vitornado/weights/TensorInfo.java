package org.vitornado.weights;

import java.util.Arrays;

/**
 * One tensor's header entry.
 *
 * @param name   the tensor's name
 * @param dtype  its element type
 * @param shape  its dimensions (empty for a scalar)
 * @param offset byte offset from the start of the file
 * @param length length in bytes
 */
public record TensorInfo(String name, Dtype dtype, long[] shape, long offset, long length) {

    public long elementCount() {
        return length / dtype.bytes();
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
