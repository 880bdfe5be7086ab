package org.vitornado.model.segmentation;

import org.vitornado.model.io.Limits;
import java.nio.file.Path;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonObject;

/**
 * DEPICT's mask transformer decoder ({@code segm.model.decoder.MaskTransformer}, Segmenter's decoder rewritten):
 * mode {@code sa} runs self-attention over patch tokens and class embeddings together; mode {@code ca} runs
 * self-attention over the patches, then three cross-attention layers with the class embeddings as queries.
 *
 * @param classes  n_cls
 * @param patch    the encoder's patch size (the token grid is image size / patch)
 * @param layers   self-attention layers (net / snet)
 * @param heads    attention heads; each head is {@link #SELF_HEAD_DIM} (or {@link #CROSS_HEAD_DIM}) wide, as DEPICT hard-codes
 * @param dim      d_model
 */
public record MaskTransformerConfig(int classes, int patch, int layers, int heads, int dim, Mode mode) {

    public MaskTransformerConfig {
        Limits.bound("n_cls", classes, 1, Limits.MAX_CLASSES);
        Limits.bound("n_layers", layers, 0, Limits.MAX_DEPTH);
        Limits.bound("n_heads", heads, 1, Limits.MAX_WIDTH);
        Limits.bound("d_model", dim, 1, Limits.MAX_WIDTH);
    }


    public static final String CLASS = "segm.model.decoder.MaskTransformer";

    /** DEPICT's Transformer(d_model, n_layers, n_heads, 100, dropout) for the self-attention stacks. */
    public static final int SELF_HEAD_DIM = 100;
    /** DEPICT's cnet: Transformer(d_model, 3, n_heads, 50, dropout), whatever n_layers says. */
    public static final int CROSS_HEAD_DIM = 50;
    public static final int CROSS_LAYERS = 3;
    /** nn.LayerNorm default, used by every norm of the decoder. */
    public static final float EPS = 1e-5f;

    public enum Mode {
        SA, CA
    }

    /** From {@code {"class": "segm.model.decoder.MaskTransformer", "args": {...}}}. */
    public static MaskTransformerConfig fromConstructor(JsonObject ctor, Path file) {
        if (!CLASS.equals(Json.string(ctor, "class", "", file))) {
            throw new ModelException(file + ": decoder class must be " + CLASS);
        }
        JsonObject a = Json.object(ctor, "args", file);
        if (a == null) {
            throw new ModelException(file + ": " + CLASS + " has no args");
        }
        String mode = Json.string(a, "mode", "sa", file);
        if (!mode.equals("sa") && !mode.equals("ca")) {
            throw new ModelException(file + ": mode '" + mode + "' is not one of 'sa', 'ca'");
        }
        int classes = Json.integer(a, "n_cls", -1, file);
        int dim = Json.integer(a, "d_model", -1, file);
        int heads = Json.integer(a, "n_heads", -1, file);
        if (classes < 1 || dim < 1 || heads < 1) {
            throw new ModelException(file + ": " + CLASS + " needs positive n_cls, d_model and n_heads");
        }
        return new MaskTransformerConfig(classes, Json.integer(a, "patch_size", 16, file), Json.integer(a, "n_layers", 2, file), heads, dim,
                mode.equals("sa") ? Mode.SA : Mode.CA);
    }
}
