package org.vitornado.model.segmentation;

import org.vitornado.model.vit.VitConfig;

/** A segmenter on a plain ViT encoder (the linear head, SETR, Segmenter): its input size and channels are the encoder's. */
interface EncoderSegmenter extends SegmentationModel {

    VitConfig encoder();

    @Override
    default int imgH() {
        return encoder().imgH();
    }

    @Override
    default int imgW() {
        return encoder().imgW();
    }

    @Override
    default int inChans() {
        return encoder().inChans();
    }
}
