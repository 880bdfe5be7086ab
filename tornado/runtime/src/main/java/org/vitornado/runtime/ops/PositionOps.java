package org.vitornado.runtime.ops;

import java.util.List;

import org.vitornado.kernels.SinePositionKernels;
import org.vitornado.runtime.TaskCost;
import org.vitornado.runtime.jvm.JvmPositionKernels;
import org.vitornado.runtime.plan.KernelCall;
import org.vitornado.runtime.plan.Step;
import org.vitornado.runtime.tensor.FeatureMap;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** Position embeddings computed on the device from the batch's padding. */
public final class PositionOps {

    private PositionOps() {
    }

    /**
     * DETR's normalised sine embedding of every position of a padded batch from its feature mask
     * ({@code mask [batch, height, width]}, 1 = padding; {@code dimT [pos.channels / 2]}). Portable:
     * {@code SinePositionKernels.sinePosition}, grid 2D x = channel, y = position; JVM: {@code JvmPositionKernels},
     * grid 1D x = block of 32 positions, each counted once for all its channels. Cost: each value counts its column or
     * row of the mask ({@code height} or {@code width} reads) and takes one sine or cosine (about 20 FLOPs).
     */
    public static Step sinePosition(String name, FloatArray mask, FloatArray dimT, FeatureMap pos, float scale, Kernels k) {
        int half = pos.channels() / 2;
        if (half * 2 != pos.channels() || mask.getSize() != pos.rows() || dimT.getSize() != half) {
            throw new IllegalArgumentException("task " + name + ": a sine embedding of " + pos.channels() + " channels needs an even width, a mask of "
                    + pos.rows() + " positions and " + half + " frequencies");
        }
        long n = (long) pos.rows() * pos.channels();
        if (k.cpu()) {
            return Step.kernel(name, "JvmPositionKernels.sinePosition", JvmPositionKernels.grid(pos.batch(), pos.height(), pos.width()),
                    TaskCost.of(n * 20 + (long) pos.rows() * (pos.height() + pos.width()), (long) mask.getSize() + half, n), List.of(mask, dimT),
                    List.of(pos.data()), KernelCall.of(JvmPositionKernels::sinePosition, k.context(), mask, dimT, pos.data(), pos.batch(), pos.height(),
                            pos.width(), half, scale));
        }
        return Step.kernel(name, "SinePositionKernels.sinePosition", SinePositionKernels.grid(pos.batch(), pos.height(), pos.width(), pos.channels()),
                TaskCost.of(n * (20 + Math.max(pos.height(), pos.width())), (long) mask.getSize() + half, n), List.of(mask, dimT), List.of(pos.data()),
                KernelCall.of(SinePositionKernels::sinePosition, k.context(), mask, dimT, pos.data(), pos.batch(), pos.height(), pos.width(), half, scale));
    }
}
