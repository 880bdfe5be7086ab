package org.vitornado.model.vitdet;

import org.vitornado.model.io.Tensors;

/**
 * ViTDet checkpoints read by the backbone's names ({@code net.blocks.0...}, {@code simfp_2.0...}): a backbone saved
 * alone, or a whole detectron2 detector ({@code GeneralizedRCNN}), which keeps its backbone under {@code backbone.}.
 */
public final class VitDetCheckpoint {

    /** Where a detectron2 detector keeps its backbone. */
    static final String DETECTOR_PREFIX = "backbone.";

    private VitDetCheckpoint() {
    }

    /** {@code checkpoint} by the backbone's own names. */
    public static Tensors backboneNames(Tensors checkpoint) {
        return checkpoint.contains(DETECTOR_PREFIX + "net.patch_embed.proj.weight") && !checkpoint.contains("net.patch_embed.proj.weight")
                ? checkpoint.withPrefix(DETECTOR_PREFIX) : checkpoint;
    }
}
