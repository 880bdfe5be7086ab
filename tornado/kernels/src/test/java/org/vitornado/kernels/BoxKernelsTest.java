package org.vitornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;
import org.vitornado.reference.BoxDecode;

import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Box decoding against a float64 {@code Box2BoxTransform.apply_deltas} ({@link BoxDecode}), clamp and clipping included. */
class BoxKernelsTest {

    static final float CLAMP = (float) Math.log(1000.0 / 16);

    @Test
    void decodeAnchorsRepeatsTheAnchorsForEveryImage() {
        Random r = new Random(3);
        int perImage = 37;
        int images = 3;
        float[] anchors = randomBoxes(r, perImage, 200);
        float[] deltas = KernelHarness.random(r, images * perImage * 4, 0.8);
        deltas[2] = 9f; // dw beyond the clamp
        deltas[4 * 5 + 3] = 12f;
        FloatArray boxes = new FloatArray(images * perImage * 4);
        FloatArray fd = FloatArray.fromArray(deltas);
        FloatArray fa = FloatArray.fromArray(anchors);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, fd, fa)
                .task("t", BoxKernels::decodeAnchors, fd, fa, boxes, images * perImage, perImage, 1f, 1f, 1f, 1f, CLAMP)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, boxes);
        execute(g);
        double[] want = BoxDecode.decodeAnchors(deltas, anchors, images * perImage, perImage, 1, 1, 1, 1, CLAMP);
        for (int i = 0; i < images * perImage; i++) {
            for (int q = 0; q < 4; q++) {
                double v = want[i * 4 + q];
                assertEquals(v, boxes.get(i * 4 + q), 2e-5 * (1 + Math.abs(v)), "box " + i + " coordinate " + q);
            }
        }
    }

    @Test
    void decodeClippedClipsEachRoiToItsOwnImage() {
        Random r = new Random(5);
        int rois = 11;
        int classes = 3;
        float[] boxes = randomBoxes(r, rois, 120);
        float[] roiRows = new float[rois * RoiAlignKernels.FIELDS];
        for (int i = 0; i < rois; i++) {
            roiRows[i * 6] = i % 2;
            System.arraycopy(boxes, i * 4, roiRows, i * 6 + 2, 4);
        }
        float[] sizes = {97, 131, 60, 45}; // (height, width) of images 0 and 1
        float[] deltas = KernelHarness.random(r, rois * classes * 4, 2.0);
        FloatArray out = new FloatArray(rois * classes * 4);
        FloatArray fd = FloatArray.fromArray(deltas);
        FloatArray fr = FloatArray.fromArray(roiRows);
        FloatArray fs = FloatArray.fromArray(sizes);
        TaskGraph g = new TaskGraph("g").transferToDevice(DataTransferMode.EVERY_EXECUTION, fd, fr, fs)
                .task("t", BoxKernels::decodeClipped, fd, fr, fs, out, rois, classes, 10f, 10f, 5f, 5f, CLAMP)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        execute(g);
        double[] clip = BoxDecode.decodeClipped(deltas, roiRows, sizes, rois, classes, 10, 10, 5, 5, CLAMP);
        for (int i = 0; i < rois * classes; i++) {
            for (int q = 0; q < 4; q++) {
                double v = clip[i * 4 + q];
                assertEquals(v, out.get(i * 4 + q), 2e-5 * (1 + Math.abs(v)), "box " + i + " coordinate " + q);
            }
        }
    }

    static float[] randomBoxes(Random r, int n, float extent) {
        float[] b = new float[n * 4];
        for (int i = 0; i < n; i++) {
            float x = r.nextFloat() * extent - 20;
            float y = r.nextFloat() * extent - 20;
            b[i * 4] = x;
            b[i * 4 + 1] = y;
            b[i * 4 + 2] = x + 1 + r.nextFloat() * extent / 2;
            b[i * 4 + 3] = y + 1 + r.nextFloat() * extent / 2;
        }
        return b;
    }

    static void execute(TaskGraph g) {
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
