package org.vitornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vitornado.reference.RoiAlign;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * ROIAlignV2 against a float64 transcription of torchvision's {@code roi_align(aligned=True, sampling_ratio=0)} CPU
 * code ({@link RoiAlign}), on awkward maps and boxes: partly outside the map, smaller than a bin, larger than the map,
 * empty, on the last row and column; rows of another level must be left untouched.
 */
class RoiAlignKernelsTest {

    @ParameterizedTest(name = "images={0} map={1}x{2} channels={3} pooled={4} scale={5}")
    @CsvSource({"2,13,17,5,7,0.25", "1,4,3,3,14,0.125", "3,9,9,1,2,0.0625", "1,1,1,2,7,1.0"})
    void matchesTorchvision(int images, int height, int width, int channels, int pooled, float scale) {
        Random r = new Random(height * 31L + width + pooled);
        float[] map = KernelHarness.random(r, images * height * width * channels, 1);
        float imgH = height / scale;
        float imgW = width / scale;
        float[][] boxes = {
            {0.31f * imgW, 0.22f * imgH, 0.77f * imgW, 0.93f * imgH},      // inside
            {-0.3f * imgW, -0.2f * imgH, 0.41f * imgW, 0.37f * imgH},      // over the top-left edge
            {0.63f * imgW, 0.58f * imgH, 1.4f * imgW, 1.27f * imgH},       // past the bottom-right
            {0.5f * imgW, 0.5f * imgH, 0.5f * imgW + 0.37f, 0.5f * imgH + 0.21f}, // smaller than a bin
            {-1.3f * imgW, -0.9f * imgH, 2.2f * imgW, 1.9f * imgH},        // larger than the map
            {0.4f * imgW, 0.4f * imgH, 0.4f * imgW, 0.7f * imgH},          // empty
            {0.9f * imgW, 0.95f * imgH, 0.999f * imgW, 0.9991f * imgH},    // the last row and column
        };
        int count = boxes.length * images;
        float[] rois = new float[count * RoiAlignKernels.FIELDS];
        for (int i = 0; i < count; i++) {
            float[] b = boxes[i % boxes.length];
            rois[i * 6] = i / boxes.length;
            rois[i * 6 + 1] = i % 3 == 2 ? 1 : 0; // every third row belongs to another level
            System.arraycopy(b, 0, rois, i * 6 + 2, 4);
        }
        int per = pooled * pooled * channels;
        float[] initial = new float[count * per];
        java.util.Arrays.fill(initial, 7.5f);
        FloatArray out = FloatArray.fromArray(initial);
        FloatArray fm = FloatArray.fromArray(map);
        FloatArray fr = FloatArray.fromArray(rois);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, fm, fr, out)
                .task("t", RoiAlignKernels::roiAlign, fm, fr, out, count, height, width, channels, 0, scale, pooled)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < count; i++) {
            if (rois[i * 6 + 1] != 0) {
                for (int q = 0; q < per; q++) {
                    assertEquals(7.5f, out.get(i * per + q), "ROI " + i + " of another level was written");
                }
                continue;
            }
            double[] want = RoiAlign.roiAlign(map, rois, i, height, width, channels, scale, pooled);
            double diff = 0;
            double norm = 0;
            for (int q = 0; q < per; q++) {
                double d = out.get(i * per + q) - want[q];
                diff += d * d;
                norm += want[q] * want[q];
            }
            double rel = norm == 0 ? Math.sqrt(diff) : Math.sqrt(diff / norm);
            org.junit.jupiter.api.Assertions.assertTrue(rel < 1e-5, "ROI " + i + ": relative L2 " + rel);
        }
    }
}
