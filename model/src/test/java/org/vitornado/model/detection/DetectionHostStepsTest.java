package org.vitornado.model.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The detector's host steps against simple float64 or brute-force references. */
class DetectionHostStepsTest {

    @Test
    void topKIsTorchTopkOrderWithTiesByIndex() {
        float[] v = {0.5f, -1f, 3f, 0.5f, Float.NEGATIVE_INFINITY, 2f, -0f, 0f};
        assertArrayEquals(new int[] {2, 5, 0, 3}, TopK.descending(v, 0, v.length, 4));
        assertArrayEquals(new int[] {0, 1, 2}, TopK.descending(v, 5, 3, 10), "a slice, k larger than n, -0 tied with +0");
        Random r = new Random(1);
        float[] big = new float[5000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (float) r.nextGaussian();
        }
        int[] top = TopK.descending(big, 0, big.length, 100);
        for (int i = 1; i < top.length; i++) {
            assertTrue(big[top[i - 1]] >= big[top[i]]);
        }
        int above = 0;
        for (float x : big) {
            above += x > big[top[99]] ? 1 : 0;
        }
        assertEquals(99, above, "exactly the 100 largest");
    }

    @Test
    void nmsMatchesABruteForceGreedyPerGroup() {
        Random r = new Random(7);
        int n = 300;
        float[] boxes = new float[4 * n];
        float[] scores = new float[n];
        int[] groups = new int[n];
        for (int i = 0; i < n; i++) {
            float x = r.nextFloat() * 80;
            float y = r.nextFloat() * 80;
            boxes[4 * i] = x;
            boxes[4 * i + 1] = y;
            boxes[4 * i + 2] = x + 5 + r.nextFloat() * 30;
            boxes[4 * i + 3] = y + 5 + r.nextFloat() * 30;
            scores[i] = r.nextFloat();
            groups[i] = r.nextInt(3);
        }
        int[] keep = Nms.batched(boxes, scores, groups, n, 0.5f);
        // Reference: for every box, in score order, keep it unless a kept box of its group overlaps it by IoU > 0.5.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Float.compare(scores[b], scores[a]));
        java.util.List<Integer> want = new java.util.ArrayList<>();
        for (int i : order) {
            boolean suppressed = false;
            for (int k : want) {
                if (groups[k] == groups[i] && iou(boxes, i, k) > 0.5) {
                    suppressed = true;
                }
            }
            if (!suppressed) {
                want.add(i);
            }
        }
        assertArrayEquals(want.stream().mapToInt(Integer::intValue).toArray(), keep);
        assertTrue(keep.length > 20 && keep.length < n - 20, "the case suppresses some boxes and keeps others: kept " + keep.length);
    }

    static double iou(float[] b, int i, int j) {
        double w = Math.max(0, Math.min(b[4 * i + 2], b[4 * j + 2]) - Math.max(b[4 * i], b[4 * j]));
        double h = Math.max(0, Math.min(b[4 * i + 3], b[4 * j + 3]) - Math.max(b[4 * i + 1], b[4 * j + 1]));
        double ai = (double) (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
        double aj = (double) (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
        return w * h / (ai + aj - w * h);
    }

    @Test
    void anchorsAreDetectronsCellAnchorsShiftedByTheStride() {
        float[] ratios = {0.5f, 1f, 2f};
        float[] cell = AnchorGenerator.cellAnchors(32, ratios);
        // detectron2's cell anchors for size 32 (the fixture's config lists them).
        assertArrayEquals(new float[] {-22.627416610717773f, -11.313708305358887f, 22.627416610717773f, 11.313708305358887f, -16, -16, 16, 16,
            -11.313708305358887f, -22.627416610717773f, 11.313708305358887f, 22.627416610717773f}, cell);
        float[] grid = AnchorGenerator.gridAnchors(2, 3, 8, 0.5f, 32, ratios);
        // Cell (y=1, x=2), ratio 1: centre ((2 + 0.5) 8, (1 + 0.5) 8) = (20, 12).
        int o = ((1 * 3 + 2) * 3 + 1) * 4;
        assertArrayEquals(new float[] {4, -4, 36, 28}, java.util.Arrays.copyOfRange(grid, o, o + 4));
    }

    @Test
    void resizeShortestEdgeIsDetectronsRounding() {
        assertArrayEquals(new int[] {1024, 768}, DetectionInput.resizedSize(640, 480, 1024, 1024));
        assertArrayEquals(new int[] {683, 1024}, DetectionInput.resizedSize(480, 720, 1024, 1024));
        assertArrayEquals(new int[] {800, 1067}, DetectionInput.resizedSize(480, 640, 800, 1333));
        assertArrayEquals(new int[] {1024, 1024}, DetectionInput.resizedSize(17, 17, 1024, 1024));
    }

    @Test
    void pastingIsGridSampleOverTheBoxRegion() {
        int m = 4;
        float[] mask = new float[m * m];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = i / (float) mask.length;
        }
        MaskPaste.Pasted p = MaskPaste.paste(mask, m, 2.3f, 1.6f, 9.8f, 7.2f, 12, 11);
        assertEquals(1, p.x());
        assertEquals(0, p.y());
        assertEquals(11 - 1, p.width(), "right edge min(ceil(9.8) + 1, 11)");
        assertEquals(9, p.height(), "bottom edge min(ceil(7.2) + 1, 12)");
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 11; x++) {
                double want = 0;
                if (x >= 1 && y < 9) {
                    double gx = (x + 0.5 - 2.3f) / (9.8f - 2.3f) * 2 - 1;
                    double gy = (y + 0.5 - 1.6f) / (7.2f - 1.6f) * 2 - 1;
                    double ix = ((gx + 1) * m - 1) / 2;
                    double iy = ((gy + 1) * m - 1) / 2;
                    int x0 = (int) Math.floor(ix);
                    int y0 = (int) Math.floor(iy);
                    for (int dy = 0; dy < 2; dy++) {
                        for (int dx = 0; dx < 2; dx++) {
                            int xx = x0 + dx;
                            int yy = y0 + dy;
                            double w = (dx == 0 ? 1 - (ix - x0) : ix - x0) * (dy == 0 ? 1 - (iy - y0) : iy - y0);
                            want += xx < 0 || yy < 0 || xx >= m || yy >= m ? 0 : w * mask[yy * m + xx];
                        }
                    }
                }
                assertEquals(want, p.prob(x, y), 1e-6, "pixel " + x + "," + y);
            }
        }
    }
}
