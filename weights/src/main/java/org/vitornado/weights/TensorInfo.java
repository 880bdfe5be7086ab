package org.vitornado.weights;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor's header entry, as validated by {@link SafetensorsFile#open}.
 *
 * @param name         the tensor's name
 * @param dtype        its element type
 * @param shape        its dimensions (empty for a 0-dim scalar); {@link #shape()} returns a copy
 * @param offset       byte offset of its data from the start of the file (not of the data buffer)
 * @param length       length of its data in bytes ({@code elementCount * dtype.bytes()})
 * @param elementCount number of elements, the product of {@code shape} (1 for a scalar)
 */
public record TensorInfo(String name, Dtype dtype, long[] shape, long offset, long length, long elementCount) {

    /** @throws IllegalArgumentException if the fields disagree (negative dimension, wrong count or length) */
    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        if (count != elementCount || Math.multiplyExact(count, dtype.bytes()) != length || offset < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape) + " of " + dtype
                    + " does not match " + elementCount + " elements, " + length + " bytes at offset " + offset);
        }
    }

    /** A copy of the dimensions. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions (0 for a scalar). */
    public int rank() {
        return shape.length;
    }

    /** Dimension {@code i}. */
    public long dim(int i) {
        return shape[i];
    }

    /** Whether the shape equals {@code expected}. */
    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    /** The shape as {@code [a, b, c]}. */
    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && offset == t.offset && length == t.length && elementCount == t.elementCount;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), offset, length);
    }

    @Override
    public String toString() {
        return name + " " + dtype + shapeString() + " @" + offset + "+" + length;
    }
}
