package org.vitornado.runtime.nn;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * Weight standardisation, as timm's {@code StdConv2d} / {@code StdConv2dSame} (BiT, the hybrid ViT's ResNetV2):
 * before the convolution each output channel's filter is standardised over its (in, kh, kw) values,
 * {@code w' = (w - mean) / sqrt(var + eps)} with the biased variance. Upstream does it on every forward pass; the
 * weights of a loaded model never change, so it is done once here, at load time, in float64.
 */
public final class WeightStandardisation {

    private WeightStandardisation() {
    }

    /** The standardised copy of {@code weight [out, per]}; placeholder weights (no values) are passed through. */
    public static FloatArray standardise(FloatArray weight, int out, int per, float eps) {
        if (weight.getSize() < (long) out * per) {
            return weight;
        }
        FloatArray w = new FloatArray(out * per);
        for (int o = 0; o < out; o++) {
            double sum = 0;
            for (int i = 0; i < per; i++) {
                sum += weight.get(o * per + i);
            }
            double mean = sum / per;
            double squares = 0;
            for (int i = 0; i < per; i++) {
                double d = weight.get(o * per + i) - mean;
                squares += d * d;
            }
            double inv = 1 / Math.sqrt(squares / per + eps);
            for (int i = 0; i < per; i++) {
                w.set(o * per + i, (float) ((weight.get(o * per + i) - mean) * inv));
            }
        }
        return w;
    }
}
