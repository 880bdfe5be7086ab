package org.vitornado.model.detr;

import java.util.ArrayList;
import java.util.List;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.PlanBuilder;
import org.vitornado.runtime.nn.Conv2d;
import org.vitornado.runtime.nn.FrozenBatchNorm;
import org.vitornado.runtime.nn.MaxPool2d;
import org.vitornado.runtime.tensor.FeatureMap;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * torchvision's ResNet with DETR's {@code FrozenBatchNorm2d} (eps 1e-5), each norm folded into the conv before it at
 * load time, on a channels-last map:
 * <pre>
 *   stem:   relu(bn1(conv1 7x7/2 pad 3)) -> maxpool 3x3/2 pad 1                   [B, H/4, W/4, 64]
 *   layerS: blocks (stride 1 for layer1, 2 for the others in block 0's 3x3 conv)   [B, H/2^(S+1), ..., planes * expansion]
 *     BasicBlock:  relu(bn2(conv2 3x3(relu(bn1(conv1 3x3/s(x))))) + shortcut)
 *     Bottleneck:  relu(bn3(conv3 1x1(relu(bn2(conv2 3x3/s(relu(bn1(conv1 1x1(x)))))))) + shortcut)
 *     shortcut = downsample(x) = bn(conv 1x1/s(x)) where the stride or width changes, else x
 * </pre>
 * (sizes rounded as PyTorch's padded convs round). Each stage ping-pongs between two maps, so its blocks allocate
 * nothing.
 */
final class FrozenResNet {

    /** One block's convs (norms folded in) and its downsample ({@code null} for the identity). */
    record Block(Conv2d conv1, Conv2d conv2, Conv2d conv3, Conv2d downsample) {
    }

    /** The stem's and every stage's output maps (the last is what input_proj reads). */
    record Maps(FeatureMap stem, List<FeatureMap> stages) {

        FeatureMap features() {
            return stages.get(stages.size() - 1);
        }
    }

    private final ResNetConfig c;
    private final Conv2d stem;
    private final Block[][] layers;

    private FrozenResNet(ResNetConfig c, Conv2d stem, Block[][] layers) {
        this.c = c;
        this.stem = stem;
        this.layers = layers;
    }

    /** Loads torchvision's names ({@code conv1.weight}, {@code bn1.running_var}, {@code layer1.0.conv1.weight}, ...) from {@code t}. */
    static FrozenResNet load(ResNetConfig c, Tensors t) {
        Conv2d stem = folded(t, "conv1", "bn1", 3, ResNetConfig.STEM, 7, 2, 3);
        Block[][] layers = new Block[4][];
        int in = ResNetConfig.STEM;
        for (int s = 0; s < 4; s++) {
            int p = c.planes()[s];
            int out = c.outChannels(s);
            layers[s] = new Block[c.layers()[s]];
            for (int b = 0; b < layers[s].length; b++) {
                String n = "layer" + (s + 1) + "." + b + ".";
                int blockIn = b == 0 ? in : out;
                int stride = b == 0 && s > 0 ? 2 : 1;
                Conv2d down = b == 0 && (stride != 1 || blockIn != out) ? folded(t, n + "downsample.0", n + "downsample.1", blockIn, out, 1, stride, 0) : null;
                layers[s][b] = c.block() == ResNetConfig.Block.BASIC
                        ? new Block(folded(t, n + "conv1", n + "bn1", blockIn, p, 3, stride, 1), folded(t, n + "conv2", n + "bn2", p, p, 3, 1, 1), null, down)
                        : new Block(folded(t, n + "conv1", n + "bn1", blockIn, p, 1, 1, 0), folded(t, n + "conv2", n + "bn2", p, p, 3, stride, 1),
                                folded(t, n + "conv3", n + "bn3", p, out, 1, 1, 0), down);
            }
            in = out;
        }
        return new FrozenResNet(c, stem, layers);
    }

    /** A bias-free conv with the frozen norm after it folded in. */
    private static Conv2d folded(Tensors t, String conv, String bn, int in, int out, int k, int stride, int pad) {
        Conv2d raw = new Conv2d(t.load(conv + ".weight", out, in, k, k), new FloatArray(out), in, out, k, stride, pad, 1);
        FrozenBatchNorm norm = new FrozenBatchNorm(t.load(bn + ".weight", out), t.load(bn + ".bias", out), t.load(bn + ".running_mean", out),
                t.load(bn + ".running_var", out), 1e-5f);
        return norm.fold(raw);
    }

    /** Adds the backbone on the channels-last {@code image}; tasks are named from {@code p}. */
    Maps add(PlanBuilder g, String p, FeatureMap image) {
        int batch = image.batch();
        FeatureMap conv = FeatureMap.allocate(batch, stem.outputSize(image.height()), stem.outputSize(image.width()), ResNetConfig.STEM);
        MaxPool2d pool = new MaxPool2d(3, 2, 1, false);
        FeatureMap x = FeatureMap.allocate(batch, pool.outputSize(conv.height()), pool.outputSize(conv.width()), ResNetConfig.STEM);
        g.section(p + "stem").conv2dRelu(p + "conv1", image, stem, conv).maxPool2d(p + "maxpool", conv, pool, x);
        FeatureMap stemOut = x;
        List<FeatureMap> stages = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            Block first = layers[s][0];
            Conv2d strided = c.block() == ResNetConfig.Block.BASIC ? first.conv1() : first.conv2();
            int h = strided.outputSize(x.height());
            int w = strided.outputSize(x.width());
            int out = c.outChannels(s);
            int planes = c.planes()[s];
            FeatureMap[] pingPong = {FeatureMap.allocate(batch, h, w, out), FeatureMap.allocate(batch, h, w, out)};
            // Bottleneck: conv1 keeps the input's size (before the stride); conv2 and conv3 the output's.
            FeatureMap t1First = FeatureMap.allocate(batch, c.block() == ResNetConfig.Block.BASIC ? h : x.height(),
                    c.block() == ResNetConfig.Block.BASIC ? w : x.width(), planes);
            FeatureMap t1 = t1First.height() == h && t1First.width() == w ? t1First : FeatureMap.allocate(batch, h, w, planes);
            FeatureMap t2 = FeatureMap.allocate(batch, h, w, planes);
            FeatureMap shortcut = first.downsample() != null ? FeatureMap.allocate(batch, h, w, out) : null;
            for (int b = 0; b < layers[s].length; b++) {
                Block k = layers[s][b];
                String n = p + "layer" + (s + 1) + "." + b;
                FeatureMap y = pingPong[b % 2];
                FeatureMap a = b == 0 ? t1First : t1;
                g.section(n).conv2dRelu(n + ".conv1", x, k.conv1(), a);
                if (c.block() == ResNetConfig.Block.BASIC) {
                    g.conv2d(n + ".conv2", a, k.conv2(), y);
                } else {
                    g.conv2dRelu(n + ".conv2", a, k.conv2(), t2).conv2d(n + ".conv3", t2, k.conv3(), y);
                }
                FeatureMap skip = x;
                if (k.downsample() != null) {
                    g.conv2d(n + ".downsample", x, k.downsample(), shortcut);
                    skip = shortcut;
                }
                g.addRelu(n + ".add", y.data(), skip.data());
                x = y;
            }
            stages.add(x);
        }
        return new Maps(stemOut, stages);
    }
}
