package org.vitornado.model.layers;

import org.vitornado.model.io.Tensors;
import org.vitornado.runtime.nn.LayerNorm;
import org.vitornado.runtime.nn.Linear;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/** One pre-norm transformer block's parameters, by timm's names: {@code norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}. */
public record BlockWeights(LayerNorm norm1, Linear qkv, Linear proj, LayerNorm norm2, Linear fc1, Linear fc2) {

    /**
     * The block at {@code prefix} ({@code blocks.3.}). Without {@code qkvBias} the qkv bias is zeros; without
     * {@code projBias} the projection and MLP biases are read when present, zeros otherwise.
     */
    public static BlockWeights load(Tensors t, String prefix, int embed, int hidden, boolean qkvBias, boolean projBias, float eps) {
        long e = embed;
        FloatArray qkvB = qkvBias ? t.load(prefix + "attn.qkv.bias", 3 * e) : new FloatArray(3 * embed);
        return new BlockWeights(
                norm(t, prefix + "norm1", embed, eps),
                new Linear(t.load(prefix + "attn.qkv.weight", 3 * e, e), qkvB, embed, 3 * embed),
                new Linear(t.load(prefix + "attn.proj.weight", e, e), bias(t, prefix + "attn.proj.bias", embed, projBias), embed, embed),
                norm(t, prefix + "norm2", embed, eps),
                new Linear(t.load(prefix + "mlp.fc1.weight", hidden, e), bias(t, prefix + "mlp.fc1.bias", hidden, projBias), embed, hidden),
                new Linear(t.load(prefix + "mlp.fc2.weight", e, hidden), bias(t, prefix + "mlp.fc2.bias", embed, projBias), hidden, embed));
    }

    /** A LayerNorm's {@code name.weight} and {@code name.bias}. */
    public static LayerNorm norm(Tensors t, String name, int width, float eps) {
        return new LayerNorm(t.load(name + ".weight", width), t.load(name + ".bias", width), eps);
    }

    private static FloatArray bias(Tensors t, String name, int n, boolean required) {
        return required ? t.load(name, n) : t.loadOrZeros(name, n);
    }
}
