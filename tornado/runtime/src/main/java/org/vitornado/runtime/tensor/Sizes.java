package org.vitornado.runtime.tensor;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Element counts of device arrays, which TornadoVM indexes with an {@code int}. */
public final class Sizes {

    private Sizes() {
    }

    /** The product of {@code dims}, or a clear error naming {@code what} when it does not fit an array. */
    public static int elements(String what, long... dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(what + ": negative dimension " + d);
            }
            if (d != 0 && n > Integer.MAX_VALUE / d) {
                throw new IllegalArgumentException(what + ": " + java.util.Arrays.toString(dims) + " is more than a device array can hold ("
                        + Integer.MAX_VALUE + " values)");
            }
            n *= d;
        }
        return (int) n;
    }

    /** Checks that {@code data} holds exactly the values of {@code dims}; {@code what} names the handle in the error. */
    static void requireLength(String what, FloatArray data, long... dims) {
        int n = elements(what, dims);
        if (data.getSize() != n) {
            throw new IllegalArgumentException(what + " " + java.util.Arrays.toString(dims) + " needs " + n + " values, the array has " + data.getSize());
        }
    }
}
