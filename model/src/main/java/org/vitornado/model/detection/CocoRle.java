package org.vitornado.model.detection;

/**
 * A binary mask as COCO's compressed run-length encoding ({@code pycocotools.mask.encode}): runs over the pixels in
 * column-major order (down each column, then the next), starting with a run of zeros, each run length written as
 * pycocotools' {@code rleToString} does (5-bit groups, the difference from the run two before after the second).
 */
public final class CocoRle {

    private CocoRle() {
    }

    /** The run lengths of {@code mask [height * width]} (row-major), in COCO's column-major order. */
    public static long[] counts(boolean[] mask, int height, int width) {
        long[] runs = new long[height * width + 1];
        int n = 0;
        boolean current = false;
        long run = 0;
        for (int x = 0; x < width; x++) {
            for (int y = 0; y < height; y++) {
                boolean v = mask[y * width + x];
                if (v != current) {
                    runs[n++] = run;
                    run = 0;
                    current = v;
                }
                run++;
            }
        }
        runs[n++] = run;
        return java.util.Arrays.copyOf(runs, n);
    }

    /** pycocotools' {@code rleToString}: the compressed {@code counts} string of a COCO RLE. */
    public static String compress(long[] counts) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < counts.length; i++) {
            long x = counts[i];
            if (i > 2) {
                x -= counts[i - 2];
            }
            boolean more = true;
            while (more) {
                long c = x & 0x1f;
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more) {
                    c |= 0x20;
                }
                s.append((char) (c + 48));
            }
        }
        return s.toString();
    }

    /** Decodes a compressed {@code counts} string back to run lengths (pycocotools' {@code rleFrString}). */
    public static long[] decompress(String s) {
        long[] out = new long[s.length()];
        int m = 0;
        int p = 0;
        while (p < s.length()) {
            long x = 0;
            int k = 0;
            boolean more = true;
            while (more) {
                long c = s.charAt(p) - 48;
                x |= (c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0) {
                    x |= -1L << (5 * k);
                }
            }
            if (m > 2) {
                x += out[m - 2];
            }
            out[m++] = x;
        }
        return java.util.Arrays.copyOf(out, m);
    }
}
