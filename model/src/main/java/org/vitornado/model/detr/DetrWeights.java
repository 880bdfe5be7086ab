package org.vitornado.model.detr;

import org.vitornado.model.io.Tensors;
import org.vitornado.model.layers.BlockWeights;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.Linear;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * DETR's parameters by its own names ({@code transformer.encoder.layers.N.self_attn.in_proj_weight}, ...; Hugging Face
 * checkpoints are read through {@link DetrCheckpoint}). {@code nn.MultiheadAttention}'s packed {@code in_proj} (rows q,
 * k, v) is split as the layers use it: where queries and keys share an input ({@code x + pos}) and the values come
 * from {@code x}, one linear gives q|k and another v; cross-attention has three inputs, so three.
 */
record DetrWeights(FrozenResNet backbone, Linear inputProj, EncoderLayer[] encoder, DecoderLayer[] decoder, LayerNorm decoderNorm,
        FloatArray queryEmbed, Linear classEmbed, Linear[] bboxEmbed) {

    /** An encoder layer: self-attention (q|k from src + pos, v from src), FFN, post-norms. */
    record EncoderLayer(Linear qk, Linear v, Linear out, LayerNorm norm1, Linear linear1, Linear linear2, LayerNorm norm2) {
    }

    /** A decoder layer: self-attention over the queries, cross-attention to the memory, FFN, three post-norms. */
    record DecoderLayer(Linear selfQk, Linear selfV, Linear selfOut, LayerNorm norm1, Linear crossQ, Linear crossK, Linear crossV, Linear crossOut,
            LayerNorm norm2, Linear linear1, Linear linear2, LayerNorm norm3) {
    }

    static DetrWeights load(DetrConfig c, Tensors checkpoint) {
        Tensors t = DetrCheckpoint.detrNames(checkpoint);
        int d = c.dModel();
        float eps = DetrConfig.LN_EPS;
        FrozenResNet backbone = FrozenResNet.load(c.backbone(), t.withPrefix("backbone.0.body."));
        int channels = c.backbone().outChannels();
        Linear inputProj = new Linear(t.load("input_proj.weight", d, channels, 1, 1), t.load("input_proj.bias", d), channels, d);
        EncoderLayer[] encoder = new EncoderLayer[c.encoderLayers()];
        for (int i = 0; i < encoder.length; i++) {
            String p = "transformer.encoder.layers." + i + ".";
            InProj a = InProj.load(t, p + "self_attn", d);
            encoder[i] = new EncoderLayer(a.rows(0, 2), a.rows(2, 1), linear(t, p + "self_attn.out_proj", d, d), BlockWeights.norm(t, p + "norm1", d, eps),
                    linear(t, p + "linear1", d, c.ffn()), linear(t, p + "linear2", c.ffn(), d), BlockWeights.norm(t, p + "norm2", d, eps));
        }
        DecoderLayer[] decoder = new DecoderLayer[c.decoderLayers()];
        for (int i = 0; i < decoder.length; i++) {
            String p = "transformer.decoder.layers." + i + ".";
            InProj self = InProj.load(t, p + "self_attn", d);
            InProj cross = InProj.load(t, p + "multihead_attn", d);
            decoder[i] = new DecoderLayer(self.rows(0, 2), self.rows(2, 1), linear(t, p + "self_attn.out_proj", d, d),
                    BlockWeights.norm(t, p + "norm1", d, eps), cross.rows(0, 1), cross.rows(1, 1), cross.rows(2, 1),
                    linear(t, p + "multihead_attn.out_proj", d, d), BlockWeights.norm(t, p + "norm2", d, eps), linear(t, p + "linear1", d, c.ffn()),
                    linear(t, p + "linear2", c.ffn(), d), BlockWeights.norm(t, p + "norm3", d, eps));
        }
        Linear[] bbox = {linear(t, "bbox_embed.layers.0", d, d), linear(t, "bbox_embed.layers.1", d, d), linear(t, "bbox_embed.layers.2", d, 4)};
        return new DetrWeights(backbone, inputProj, encoder, decoder, BlockWeights.norm(t, "transformer.decoder.norm", d, eps),
                t.load("query_embed.weight", c.queries(), d), linear(t, "class_embed", d, c.numClasses() + 1), bbox);
    }

    private static Linear linear(Tensors t, String name, int in, int out) {
        return new Linear(t.load(name + ".weight", out, in), t.load(name + ".bias", out), in, out);
    }

    /** {@code nn.MultiheadAttention}'s {@code in_proj_weight [3d, d]} and {@code in_proj_bias [3d]}. */
    private record InProj(FloatArray weight, FloatArray bias, int d) {

        static InProj load(Tensors t, String name, int d) {
            return new InProj(t.load(name + ".in_proj_weight", 3L * d, d), t.load(name + ".in_proj_bias", 3L * d), d);
        }

        /** The linear of blocks {@code [first, first + count)} of q, k, v. */
        Linear rows(int first, int count) {
            int n = count * d;
            FloatArray w = new FloatArray(n * d);
            FloatArray b = new FloatArray(n);
            if (weight.getSize() >= 3L * d * d) { // placeholders (inspection) hold no values
                w.getSegment().copyFrom(weight.getSegment().asSlice((long) first * d * d * Float.BYTES, (long) n * d * Float.BYTES));
                b.getSegment().copyFrom(bias.getSegment().asSlice((long) first * d * Float.BYTES, (long) n * Float.BYTES));
            }
            return new Linear(w, b, d, n);
        }
    }
}
