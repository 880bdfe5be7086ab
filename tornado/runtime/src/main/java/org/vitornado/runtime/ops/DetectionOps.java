package org.vitornado.runtime.ops;

import java.util.List;

import org.vitornado.kernels.BoxKernels;
import org.vitornado.kernels.RoiAlignKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.jvm.JvmRoiAlignKernels;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.FeatureMap;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** A detector's data-parallel box work: ROIAlign pooling and box decoding. Top-k and NMS are the host's. */
public final class DetectionOps {

    /** Box2BoxTransform's parameters: per-coordinate weights and the clamp of dw, dh. */
    public record BoxCoder(float wx, float wy, float ww, float wh, float scaleClamp) {
    }

    private DetectionOps() {
    }

    /**
     * ROIAlignV2 of the ROIs of {@code level} from {@code map} into {@code out [rois, pooled, pooled, C]}. Portable:
     * {@code RoiAlignKernels.roiAlign}, a {@code @Parallel} loop over the outputs; JVM: {@code JvmRoiAlignKernels.roiAlign},
     * grid 2D y = (ROI, bin row), each sample's taps applied to a SIMD vector of channels. {@code updates}: an earlier
     * level's task wrote other rows of {@code out} (so this task reads it too). Cost: about 4 samples of 8 FLOPs per
     * output (the grid is {@code ceil(roi / pooled)} per side, 2 x 2 for typical boxes).
     */
    public static Step roiAlign(String name, FeatureMap map, FloatArray rois, int count, int level, float scale, int pooled, FeatureMap out,
            boolean updates, Kernels k) {
        if (out.batch() != count || out.height() != pooled || out.width() != pooled || out.channels() != map.channels()
                || rois.getSize() != count * RoiAlignKernels.FIELDS) {
            throw new IllegalArgumentException("task " + name + ": ROIAlign of " + count + " ROIs into [" + out.batch() + ", " + out.height() + ", "
                    + out.width() + ", " + out.channels() + "]");
        }
        long n = (long) count * pooled * pooled * map.channels();
        List<Object> reads = updates ? List.of(map.data(), rois, out.data()) : List.of(map.data(), rois);
        if (k.cpu()) {
            return Step.kernel(name, "JvmRoiAlignKernels.roiAlign", JvmRoiAlignKernels.grid(count, pooled), TaskCost.of(32 * n, 4 * n + rois.getSize(), n),
                    reads, List.of(out.data()), KernelCall.of(JvmRoiAlignKernels::roiAlign, k.context(), map.data(), rois, out.data(), count, map.height(),
                            map.width(), map.channels(), level, scale, pooled));
        }
        return Step.parallel(name, "RoiAlignKernels.roiAlign", n, TaskCost.of(32 * n, 4 * n + rois.getSize(), n), reads, List.of(out.data()),
                KernelCall.of(RoiAlignKernels::roiAlign, map.data(), rois, out.data(), count, map.height(), map.width(), map.channels(), level, scale,
                        pooled));
    }

    /**
     * Proposals from anchors: {@code BoxKernels.decodeAnchors}, a {@code @Parallel} loop over {@code count} boxes
     * (the anchors repeat for every image). About 20 FLOPs a box.
     */
    public static Step decodeAnchors(String name, FloatArray deltas, FloatArray anchors, FloatArray boxes, int count, BoxCoder coder) {
        int perImage = anchors.getSize() / 4;
        if (deltas.getSize() != count * 4 || boxes.getSize() != count * 4 || perImage == 0 || count % perImage != 0) {
            throw new IllegalArgumentException("task " + name + ": decoding " + count + " boxes from " + perImage + " anchors per image");
        }
        return Step.parallel(name, "BoxKernels.decodeAnchors", count, TaskCost.of(20L * count, 8L * count, 4L * count), List.of(deltas, anchors),
                List.of(boxes), KernelCall.of(BoxKernels::decodeAnchors, deltas, anchors, boxes, count, perImage, coder.wx(), coder.wy(), coder.ww(),
                        coder.wh(), coder.scaleClamp()));
    }

    /**
     * Class-specific boxes of every ROI, clipped to its image: {@code BoxKernels.decodeClipped}, a {@code @Parallel}
     * loop over {@code count * classes} boxes. About 28 FLOPs a box.
     */
    public static Step decodeClipped(String name, FloatArray deltas, FloatArray rois, FloatArray imageSizes, FloatArray boxes, int count, int classes,
            BoxCoder coder) {
        long n = (long) count * classes;
        if (deltas.getSize() != n * 4 || boxes.getSize() != n * 4 || rois.getSize() != count * RoiAlignKernels.FIELDS) {
            throw new IllegalArgumentException("task " + name + ": decoding " + classes + " boxes for each of " + count + " ROIs");
        }
        return Step.parallel(name, "BoxKernels.decodeClipped", n, TaskCost.of(28 * n, 4 * n + rois.getSize(), 4 * n), List.of(deltas, rois, imageSizes),
                List.of(boxes), KernelCall.of(BoxKernels::decodeClipped, deltas, rois, imageSizes, boxes, count, classes, coder.wx(), coder.wy(),
                        coder.ww(), coder.wh(), coder.scaleClamp()));
    }
}
