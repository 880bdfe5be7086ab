package org.vitornado.runtime.nn;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * A batch norm with fixed statistics ({@code FrozenBatchNorm2d}, DETR's backbone; eval-mode {@code BatchNorm2d}):
 * {@code y = (x - mean) weight / sqrt(var + eps) + bias}, a per-channel affine map, folded into the convolution
 * before it once at load time ({@link #fold}) so that no kernel ever runs it.
 */
public record FrozenBatchNorm(FloatArray weight, FloatArray bias, FloatArray runningMean, FloatArray runningVar, float eps) {

    /**
     * {@code conv} followed by this norm as one convolution: with {@code scale = weight / sqrt(var + eps)} (float64),
     * {@code w'[o] = w[o] scale[o]} and {@code b'[o] = (b[o] - mean[o]) scale[o] + bias[o]}. Placeholder weights (a
     * plan built for inspection, holding no values) are passed through.
     */
    public Conv2d fold(Conv2d conv) {
        int out = conv.out();
        int per = conv.in() / conv.groups() * conv.kernel() * conv.kernel();
        if (conv.weight().getSize() < (long) out * per || runningVar.getSize() < out) {
            return conv;
        }
        FloatArray w = new FloatArray(out * per);
        FloatArray b = new FloatArray(out);
        for (int o = 0; o < out; o++) {
            double scale = weight.get(o) / Math.sqrt((double) runningVar.get(o) + eps);
            for (int i = 0; i < per; i++) {
                w.set(o * per + i, (float) (conv.weight().get(o * per + i) * scale));
            }
            double convBias = conv.bias().getSize() >= out ? conv.bias().get(o) : 0;
            b.set(o, (float) ((convBias - runningMean.get(o)) * scale + bias.get(o)));
        }
        return new Conv2d(w, b, conv.in(), out, conv.kernel(), conv.stride(), conv.padding(), conv.groups(), conv.tfSame());
    }
}
