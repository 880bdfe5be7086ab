package org.vitornado.model.layers;

import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.ops.ResampleOps;
import org.vitornado.runtime.tensor.FeatureMap;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * An absolute position embedding for the token grid at hand, as the patch-embedding kernel reads it: one row per
 * patch, {@code [gridH * gridW, embed]}. The checkpoint's grid rows are copied once on the host (its class-token
 * rows left out: those go with the class token); when the token grid differs from the pretraining grid, a kernel
 * resamples them with the upstream's filter (timm: bicubic with antialias; detectron2, Hugging Face and
 * mmsegmentation: plain bicubic; Segmenter: bilinear). Every array given to the device is thus written whole, by the
 * host or by a kernel.
 */
public final class PositionEmbedding {

    private PositionEmbedding() {
    }

    /**
     * The embedding for a {@code gridH x gridW} token grid from {@code stored}, which holds {@code classRows} rows
     * and then a {@code storedH x storedW} grid of {@code embed} (or {@code null}: no position embedding, zeros).
     */
    public static FloatArray forGrid(PlanBuilder g, FloatArray stored, int classRows, int storedH, int storedW, int gridH, int gridW, int embed,
            ResampleOps.Filter filter) {
        if (stored == null) {
            return FeatureMap.allocate(1, gridH, gridW, embed).data();
        }
        FeatureMap grid = FeatureMap.allocate(1, storedH, storedW, embed);
        // Placeholder tensors (a plan built for inspection) hold no values: the grid stays zeros.
        if (stored.getSize() >= (long) (classRows + storedH * storedW) * embed) {
            grid.data().getSegment().copyFrom(stored.getSegment().asSlice((long) classRows * embed * Float.BYTES, grid.data().getNumBytesOfSegment()));
        }
        if (gridH == storedH && gridW == storedW) {
            return grid.data();
        }
        FeatureMap resized = FeatureMap.allocate(1, gridH, gridW, embed);
        g.section("pos_embed").resampleGrid("pos_embed.resample", grid, resized, filter);
        return resized.data();
    }
}
