package org.vitornado.api;

/** What a loaded model answers. */
public enum Task {
    /** {@link VisionModel#classify}: labels with scores (a ViT with a classifier head) */
    CLASSIFICATION,
    /** {@link VisionModel#segment}: a class per pixel (SegFormer, Segmenter, SETR, linear heads) */
    SEGMENTATION,
    /** {@link VisionModel#features}: feature maps or an embedding (ViTDet, the SAM encoder, a ViT without a head) */
    FEATURES,
    /** {@link VisionModel#detect}: boxes, classes and instance masks (ViTDet Mask R-CNN) */
    DETECTION
}
