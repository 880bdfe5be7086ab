package org.vitornado.api;

/**
 * One output of a backbone or encoder.
 *
 * @param name   the upstream's name ({@code p2} .. {@code p6} for ViTDet's pyramid, {@code last_feat}, {@code pre_logits})
 * @param shape  PyTorch's layout without the batch: {@code [channels, height, width]}, or {@code [width]} for a vector
 * @param values the values in that layout
 */
public record FeatureTensor(String name, int[] shape, float[] values) {
}
