package org.vitornado.model.hybrid;

import java.util.Arrays;

/**
 * timm's {@code ResNetV2} as {@code vision_transformer_hybrid._resnetv2} builds it for the hybrid ViTs: no
 * pre-activation, the "same" stem (7x7/2 {@code StdConv2dSame}, {@code GroupNormAct}, 3x3/2 {@code MaxPool2dSame}),
 * bottleneck stages of {@code layers[i]} blocks and {@code channels[i]} output channels (stride 1 for the first
 * stage, 2 after), {@code StdConv2dSame} with weight-standardisation eps {@code wsEps} everywhere, and
 * {@code GroupNormAct(groups)}.
 *
 * @param layers   blocks per stage ({@code vit_base_r50_s16}: 3, 4, 9)
 * @param channels output channels per stage (timm's default 256, 512, 1024, 2048, as many as there are stages)
 * @param stemChs  the stem conv's output channels (64)
 * @param wsEps    the weight standardisation's eps (1e-8 in the hybrid ViTs; the class default is 1e-6)
 * @param groups   GroupNorm's groups (32)
 * @param gnEps    GroupNorm's eps (1e-5)
 */
public record ResNetV2Config(int[] layers, int[] channels, int stemChs, float wsEps, int groups, float gnEps) {

    /** timm's default stage widths. */
    public static final int[] DEFAULT_CHANNELS = {256, 512, 1024, 2048};

    public ResNetV2Config {
        if (layers.length < 1 || layers.length > 4 || channels.length != layers.length) {
            throw new IllegalArgumentException("ResNetV2 needs 1 to 4 stages with a width each, got layers " + Arrays.toString(layers) + " and channels "
                    + Arrays.toString(channels));
        }
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] < 1 || channels[i] < 4 || bottleneck(channels[i]) % groups != 0 || channels[i] % groups != 0) {
                throw new IllegalArgumentException("ResNetV2 stage " + i + ": " + layers[i] + " blocks of " + channels[i] + " channels (GroupNorm of "
                        + groups + " groups)");
            }
        }
        if (stemChs % groups != 0) {
            throw new IllegalArgumentException("ResNetV2 stem width " + stemChs + " is not a multiple of " + groups + " groups");
        }
    }

    /** The hybrid ViTs' backbone with {@code layers} and timm's default widths. */
    public static ResNetV2Config hybrid(int... layers) {
        return new ResNetV2Config(layers, Arrays.copyOf(DEFAULT_CHANNELS, layers.length), 64, 1e-8f, 32, 1e-5f);
    }

    /** A bottleneck's middle width, timm's {@code make_div(out * 0.25)}: a multiple of 8, never 10% below the exact value. */
    public static int bottleneck(int out) {
        double v = out * 0.25;
        int div = 8;
        int m = Math.max(div, (int) (v + div / 2.0) / div * div);
        return m < 0.9 * v ? m + div : m;
    }

    /** Input pixels per feature-map pixel: 4 (stem) times 2 per stage after the first. */
    public int stride() {
        return 4 << (layers.length - 1);
    }

    /** The feature map's side for an input side of {@code size}: "SAME" rounds up at every stride-2 step. */
    public int outputSize(int size) {
        int n = size;
        for (int i = 0; i < 2 + layers.length - 1; i++) {
            n = (n + 1) / 2;
        }
        return n;
    }

    public int outChannels() {
        return channels[channels.length - 1];
    }

    /** Parameters: the stem, every block's three convs and norms, each stage's downsample. */
    public long parameterCount(int inChans) {
        long n = (long) stemChs * inChans * 49 + 2L * stemChs;
        int in = stemChs;
        for (int s = 0; s < layers.length; s++) {
            int out = channels[s];
            int mid = bottleneck(out);
            n += (long) out * in + 2L * out;
            for (int b = 0; b < layers[s]; b++) {
                int blockIn = b == 0 ? in : out;
                n += (long) mid * blockIn + 2L * mid + 9L * mid * mid + 2L * mid + (long) out * mid + 2L * out;
            }
            in = out;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResNetV2Config c && Arrays.equals(layers, c.layers) && Arrays.equals(channels, c.channels) && stemChs == c.stemChs
                && wsEps == c.wsEps && groups == c.groups && gnEps == c.gnEps;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(layers) * 31 + Arrays.hashCode(channels);
    }

    @Override
    public String toString() {
        return "ResNetV2 " + Arrays.toString(layers) + " x " + Arrays.toString(channels);
    }
}
