package org.vitornado.model.hybrid;

import java.util.ArrayList;
import java.util.List;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.GroupNorm;
import org.vitornado.runtime.nn.MaxPool2d;
import org.vitornado.runtime.nn.WeightStandardisation;
import org.vitornado.runtime.tensor.FeatureMap;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * timm's {@code ResNetV2} (no pre-activation, "same" stem) on a channels-last map, as the hybrid ViT's patch
 * embedding runs it:
 * <pre>
 *   stem:  StdConv2dSame 7x7/2 -> GroupNormAct (ReLU) -> MaxPool2dSame 3x3/2
 *   stage s, block j (stride 2 in stage s > 0, block 0):
 *     shortcut = j == 0 ? GroupNorm(StdConv2dSame 1x1/stride(x)) : x
 *     x = relu(GroupNorm(conv3 1x1(relu(GN(conv2 3x3/stride(relu(GN(conv1 1x1(x)))))))) + shortcut)
 * </pre>
 * Shapes for a {@code [B, H, W, 3]} input: stem {@code [B, ceil(H/4), ceil(W/4), 64]}; stage s
 * {@code [B, ceil(H / (4 * 2^s)), ..., channels[s]]}. Every conv's filters are standardised once, here, at load
 * ({@code StdConv2dSame} does it on every forward). Each stage ping-pongs between two maps, so its blocks allocate
 * nothing.
 */
public final class ResNetV2 {

    /** One bottleneck: three convs with their norms, and the first block's downsample (else {@code null}). */
    record Bottleneck(Conv2d conv1, GroupNorm norm1, Conv2d conv2, GroupNorm norm2, Conv2d conv3, GroupNorm norm3, Conv2d downConv,
            GroupNorm downNorm) {
    }

    /** The maps a forward pass produced: the stem's and each stage's output (the last is the feature map). */
    public record Maps(FeatureMap stem, List<FeatureMap> stages) {

        public FeatureMap features() {
            return stages.get(stages.size() - 1);
        }
    }

    private final ResNetV2Config c;
    private final Conv2d stemConv;
    private final GroupNorm stemNorm;
    private final Bottleneck[][] stages;

    private ResNetV2(ResNetV2Config c, Conv2d stemConv, GroupNorm stemNorm, Bottleneck[][] stages) {
        this.c = c;
        this.stemConv = stemConv;
        this.stemNorm = stemNorm;
        this.stages = stages;
    }

    /** The backbone's weights under timm's names ({@code stem.conv.weight}, {@code stages.0.blocks.0.conv1.weight}, ...) in {@code t}. */
    public static ResNetV2 load(ResNetV2Config c, Tensors t, int inChans) {
        Conv2d stem = conv(c, t, "stem.conv", inChans, c.stemChs(), 7, 2);
        GroupNorm stemNorm = norm(c, t, "stem.norm", c.stemChs());
        Bottleneck[][] stages = new Bottleneck[c.layers().length][];
        int in = c.stemChs();
        for (int s = 0; s < stages.length; s++) {
            int out = c.channels()[s];
            int mid = ResNetV2Config.bottleneck(out);
            int stride = s == 0 ? 1 : 2;
            stages[s] = new Bottleneck[c.layers()[s]];
            for (int b = 0; b < stages[s].length; b++) {
                String p = "stages." + s + ".blocks." + b + ".";
                int blockIn = b == 0 ? in : out;
                int blockStride = b == 0 ? stride : 1;
                stages[s][b] = new Bottleneck(conv(c, t, p + "conv1", blockIn, mid, 1, 1), norm(c, t, p + "norm1", mid),
                        conv(c, t, p + "conv2", mid, mid, 3, blockStride), norm(c, t, p + "norm2", mid),
                        conv(c, t, p + "conv3", mid, out, 1, 1), norm(c, t, p + "norm3", out),
                        b == 0 ? conv(c, t, p + "downsample.conv", blockIn, out, 1, blockStride) : null,
                        b == 0 ? norm(c, t, p + "downsample.norm", out) : null);
            }
            in = out;
        }
        return new ResNetV2(c, stem, stemNorm, stages);
    }

    /** A {@code StdConv2dSame} without bias, its filters standardised. */
    private static Conv2d conv(ResNetV2Config c, Tensors t, String name, int in, int out, int k, int stride) {
        FloatArray w = WeightStandardisation.standardise(t.load(name + ".weight", out, in, k, k), out, in * k * k, c.wsEps());
        return Conv2d.tfSame(w, new FloatArray(out), in, out, k, stride);
    }

    private static GroupNorm norm(ResNetV2Config c, Tensors t, String name, int channels) {
        return new GroupNorm(t.load(name + ".weight", channels), t.load(name + ".bias", channels), channels, c.groups(), c.gnEps());
    }

    public ResNetV2Config config() {
        return c;
    }

    /** Adds the backbone on {@code image} (channels-last) to {@code g}, its tasks named from {@code p}. */
    public Maps add(PlanBuilder g, String p, FeatureMap image) {
        int batch = image.batch();
        FeatureMap stemConvOut = FeatureMap.allocate(batch, stemConv.outputSize(image.height()), stemConv.outputSize(image.width()), c.stemChs());
        MaxPool2d pool = new MaxPool2d(3, 2, 0, true);
        FeatureMap x = FeatureMap.allocate(batch, pool.outputSize(stemConvOut.height()), pool.outputSize(stemConvOut.width()), c.stemChs());
        g.section(p + "stem")
                .conv2d(p + "stem.conv", image, stemConv, stemConvOut)
                .groupNorm(p + "stem.norm", stemConvOut, stemNorm, true, stemConvOut)
                .maxPool2d(p + "stem.pool", stemConvOut, pool, x);
        FeatureMap stem = x;
        List<FeatureMap> outputs = new ArrayList<>();
        for (int s = 0; s < stages.length; s++) {
            Bottleneck first = stages[s][0];
            int h = first.conv2().outputSize(x.height());
            int w = first.conv2().outputSize(x.width());
            int out = c.channels()[s];
            int mid = ResNetV2Config.bottleneck(out);
            FeatureMap[] pingPong = {FeatureMap.allocate(batch, h, w, out), FeatureMap.allocate(batch, h, w, out)};
            FeatureMap t1 = FeatureMap.allocate(batch, x.height(), x.width(), mid);
            FeatureMap t1Later = stages[s].length > 1 && (h != x.height() || w != x.width()) ? FeatureMap.allocate(batch, h, w, mid) : t1;
            FeatureMap t2 = FeatureMap.allocate(batch, h, w, mid);
            FeatureMap t3 = FeatureMap.allocate(batch, h, w, out);
            FeatureMap shortcut = FeatureMap.allocate(batch, h, w, out);
            for (int b = 0; b < stages[s].length; b++) {
                Bottleneck k = stages[s][b];
                String n = p + "stages." + s + ".blocks." + b + ".";
                FeatureMap a = b == 0 ? t1 : t1Later;
                FeatureMap y = pingPong[b % 2];
                g.section(n.substring(0, n.length() - 1))
                        .conv2d(n + "conv1", x, k.conv1(), a).groupNorm(n + "norm1", a, k.norm1(), true, a)
                        .conv2d(n + "conv2", a, k.conv2(), t2).groupNorm(n + "norm2", t2, k.norm2(), true, t2)
                        .conv2d(n + "conv3", t2, k.conv3(), t3);
                FeatureMap skip = x;
                if (k.downConv() != null) {
                    g.conv2d(n + "downsample.conv", x, k.downConv(), shortcut).groupNorm(n + "downsample.norm", shortcut, k.downNorm(), false, shortcut);
                    skip = shortcut;
                }
                g.groupNormAddRelu(n + "norm3", t3, k.norm3(), skip, y);
                x = y;
            }
            outputs.add(x);
        }
        return new Maps(stem, outputs);
    }
}
