package org.vitornado.runtime.tensor;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A feature map on the device, channels-last: {@code [batch, height, width, channels]}. Convolutions, window
 * attention and channel norms all read it in place; PyTorch's NCHW only appears when a map comes back to the host.
 */
public record FeatureMap(FloatArray data, int batch, int height, int width, int channels) {

    public FeatureMap {
        Sizes.requireLength("feature map", data, batch, height, width, channels);
    }

    /** A new, zeroed map. */
    public static FeatureMap allocate(int batch, int height, int width, int channels) {
        return new FeatureMap(new FloatArray(Sizes.elements("feature map", batch, height, width, channels)), batch, height, width, channels);
    }

    /** The positions as token rows {@code [batch * height * width, channels]}. */
    public Tokens tokens() {
        return new Tokens(data, batch, height * width, channels);
    }

    /** {@code batch * height * width}. */
    public int rows() {
        return batch * height * width;
    }

    /** A host copy in PyTorch's layout, {@code [batch, channels, height, width]}. */
    public float[] toNchw() {
        return toNchw(data.toHeapArray(), batch, height, width, channels);
    }

    /** NHWC {@code [B, H, W, C]} to NCHW. */
    public static float[] toNchw(float[] nhwc, int batch, int height, int width, int channels) {
        int hw = height * width;
        float[] nchw = new float[nhwc.length];
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < hw; p++) {
                for (int ch = 0; ch < channels; ch++) {
                    nchw[(b * channels + ch) * hw + p] = nhwc[(b * hw + p) * channels + ch];
                }
            }
        }
        return nchw;
    }

    /** NCHW {@code [B, C, H, W]} pixels into this map (channels-last). */
    public void fromNchw(float[] nchw) {
        if (nchw.length != data.getSize()) {
            throw new IllegalArgumentException("expected " + data.getSize() + " values, got " + nchw.length);
        }
        int hw = height * width;
        for (int b = 0; b < batch; b++) {
            for (int ch = 0; ch < channels; ch++) {
                for (int p = 0; p < hw; p++) {
                    data.set((b * hw + p) * channels + ch, nchw[(b * channels + ch) * hw + p]);
                }
            }
        }
    }
}
