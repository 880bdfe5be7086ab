package org.vitornado.model.detection;

import java.util.Arrays;

/** {@code torch.topk}: the indices of the largest values, largest first (ties: lower index first). */
public final class TopK {

    private TopK() {
    }

    /** The indices (relative to {@code from}) of the {@code min(k, n)} largest of {@code values[from, from + n)}, descending. */
    public static int[] descending(float[] values, int from, int n, int k) {
        // One sort of (value, index) keys: a value's bits made order-preserving as a signed int, negated for descending.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            float v = values[from + i];
            int bits = Float.floatToIntBits(v == 0.0f ? 0.0f : v); // -0 ties with +0, as in torch
            bits ^= (bits >> 31) & 0x7fffffff;
            keys[i] = ((long) ~bits << 32) | i;
        }
        Arrays.sort(keys);
        int m = Math.min(k, n);
        int[] out = new int[m];
        for (int i = 0; i < m; i++) {
            out[i] = (int) keys[i];
        }
        return out;
    }
}
