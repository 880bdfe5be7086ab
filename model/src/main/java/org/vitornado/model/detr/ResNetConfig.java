package org.vitornado.model.detr;

import java.util.Arrays;

/**
 * torchvision's {@code ResNet} as DETR's backbone uses it (no dilation, frozen batch norms): a 7x7/2 stem conv to
 * {@value #STEM} channels, a 3x3/2 max pool (padding 1), and four stages of {@code layers[i]} blocks with
 * {@code planes[i]} planes (strides 1, 2, 2, 2). BasicBlock (ResNet-18/34) outputs {@code planes} channels, Bottleneck
 * (ResNet-50/101, torchvision "v1.5": the stride in its 3x3 conv2) {@code 4 planes}; a block whose stride or width
 * changes gets a downsample (1x1 conv with the stride, then its norm).
 */
public record ResNetConfig(Block block, int[] layers, int[] planes) {

    /** torchvision's two residual blocks. */
    public enum Block {
        /** two 3x3 convs, expansion 1 */
        BASIC(1),
        /** 1x1, 3x3 (stride), 1x1 convs, expansion 4 */
        BOTTLENECK(4);

        final int expansion;

        Block(int expansion) {
            this.expansion = expansion;
        }
    }

    /** The stem conv's width. */
    public static final int STEM = 64;

    public ResNetConfig {
        if (layers.length != 4 || planes.length != 4 || Arrays.stream(layers).anyMatch(l -> l < 1) || Arrays.stream(planes).anyMatch(p -> p < 1)) {
            throw new IllegalArgumentException("a torchvision ResNet has four stages of at least one block, got layers " + Arrays.toString(layers)
                    + " and planes " + Arrays.toString(planes));
        }
    }

    /** torchvision's {@code resnet18}, {@code resnet34}, {@code resnet50} or {@code resnet101}. */
    public static ResNetConfig resnet(int depth) {
        int[] planes = {64, 128, 256, 512};
        return switch (depth) {
            case 18 -> new ResNetConfig(Block.BASIC, new int[] {2, 2, 2, 2}, planes);
            case 34 -> new ResNetConfig(Block.BASIC, new int[] {3, 4, 6, 3}, planes);
            case 50 -> new ResNetConfig(Block.BOTTLENECK, new int[] {3, 4, 6, 3}, planes);
            case 101 -> new ResNetConfig(Block.BOTTLENECK, new int[] {3, 4, 23, 3}, planes);
            default -> throw new IllegalArgumentException("no torchvision resnet" + depth);
        };
    }

    /** Stage {@code s}'s output channels. */
    public int outChannels(int s) {
        return planes[s] * block.expansion;
    }

    /** The last stage's output channels (what {@code input_proj} reads: 2048 for ResNet-50). */
    public int outChannels() {
        return outChannels(3);
    }

    /** A map side after the stem (/4) and stages 2-4 (/2 each, rounding as PyTorch's padded 3x3/2 does): {@code ceil(size / 32)} in effect. */
    public int outputSize(int size) {
        int n = (size + 2 * 3 - 7) / 2 + 1; // conv1 7x7/2 pad 3
        n = (n + 2 - 3) / 2 + 1; // max pool 3x3/2 pad 1
        for (int s = 1; s < 4; s++) {
            n = (n + 2 - 3) / 2 + 1; // the 3x3/2 conv (pad 1) of each later stage
        }
        return n;
    }

    public long parameterCount() {
        long n = (long) STEM * 3 * 49 + 4L * STEM;
        int in = STEM;
        for (int s = 0; s < 4; s++) {
            int p = planes[s];
            int out = outChannels(s);
            for (int b = 0; b < layers[s]; b++) {
                int blockIn = b == 0 ? in : out;
                n += block == Block.BASIC ? 9L * blockIn * p + 4L * p + 9L * p * p + 4L * p
                        : (long) blockIn * p + 4L * p + 9L * p * p + 4L * p + (long) p * out + 4L * out;
                if (b == 0 && (s > 0 || blockIn != out)) {
                    n += (long) blockIn * out + 4L * out;
                }
            }
            in = out;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResNetConfig r && block == r.block && Arrays.equals(layers, r.layers) && Arrays.equals(planes, r.planes);
    }

    @Override
    public int hashCode() {
        return block.hashCode() * 31 + Arrays.hashCode(layers) * 7 + Arrays.hashCode(planes);
    }

    @Override
    public String toString() {
        return "ResNet " + block.name().toLowerCase() + " " + Arrays.toString(layers) + " x " + Arrays.toString(planes);
    }
}
