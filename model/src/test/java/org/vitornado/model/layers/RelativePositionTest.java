package org.vitornado.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class RelativePositionTest {

    @Test
    void aTableOfTheRightLengthIsKept() {
        float[] t = {1, 2, 3, 4, 5, 6};
        assertSame(t, RelativePosition.forSize(t, 2, 2));
    }

    @Test
    void resizesLikeLinearInterpolationWithoutAlignedCorners() {
        // 3 rows -> 2*4-1 = 7 rows; F.interpolate(linear, align_corners=False): s = max(3/7 (i + 0.5) - 0.5, 0).
        float[] table = {0, 10, 1, 20, 4, 40};
        float[] got = RelativePosition.forSize(table, 2, 4);
        float[] want = new float[14];
        for (int i = 0; i < 7; i++) {
            double s = Math.max(3.0 / 7 * (i + 0.5) - 0.5, 0);
            int i0 = (int) Math.floor(s);
            int i1 = Math.min(i0 + 1, 2);
            double l = s - i0;
            for (int d = 0; d < 2; d++) {
                want[i * 2 + d] = (float) ((1 - l) * table[i0 * 2 + d] + l * table[i1 * 2 + d]);
            }
        }
        assertArrayEquals(want, got, 1e-6f);
        assertArrayEquals(new float[] {0, 10}, new float[] {got[0], got[1]}, 1e-6f);
        assertArrayEquals(new float[] {4, 40}, new float[] {got[12], got[13]}, 1e-6f);
    }
}
