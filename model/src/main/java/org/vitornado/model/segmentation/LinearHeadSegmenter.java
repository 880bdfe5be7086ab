package org.vitornado.model.segmentation;

import java.nio.file.Path;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitConfigReader;
import org.vitornado.model.vit.VitEncoder;
import org.vitornado.model.vit.VitWeights;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.tensor.FeatureMap;
import org.vitornado.runtime.tensor.Tokens;

import com.google.gson.JsonObject;

/**
 * The simplest segmenter: a ViT whose classification head (timm {@code head}, HF {@code classifier}, [classes, embed])
 * is applied to every patch token instead of a pooled one; the per-patch scores, reshaped to the token grid, are
 * upsampled bilinearly (align_corners=False) to the input size:
 * <pre>
 *   ViT encoder -> drop prefix tokens -> head (a 1x1 conv on the token grid) -> bilinear to H x W
 * </pre>
 * Config: any ViT config vitornado reads (timm constructor arguments, timm Hub, Hugging Face) with
 * {@code "segmentation_head": "linear"} added and {@code num_classes} the number of classes.
 */
public record LinearHeadSegmenter(VitConfig vit) implements EncoderSegmenter {

    public static final String KEY = "segmentation_head";

    public static boolean isLinearHead(JsonObject config) {
        return config.has(KEY) && config.get(KEY).isJsonPrimitive();
    }

    public static LinearHeadSegmenter read(JsonObject config, Path file) {
        String head = Json.string(config, KEY, "", file);
        if (!head.equals("linear")) {
            throw new ModelException(file + ": segmentation_head '" + head + "' is not supported (linear)");
        }
        if (!VitConfigReader.isVit(config)) {
            throw new ModelException(file + ": segmentation_head 'linear' needs a ViT config (timm or Hugging Face)");
        }
        VitConfig v = VitConfigReader.read(config, file);
        if (v.numClasses() < 1) {
            throw new ModelException(file + ": a linear segmentation head needs num_classes > 0");
        }
        if (v.fcNorm()) {
            throw new ModelException(file + ": fc_norm before a per-patch head is not supported");
        }
        return new LinearHeadSegmenter(v);
    }

    @Override
    public VitConfig encoder() {
        return vit;
    }

    @Override
    public String describe() {
        return "linear head on " + vit.describe() + ", " + classes() + " classes";
    }

    @Override
    public int classes() {
        return vit.numClasses();
    }

    @Override
    public SegmentationPlan plan(Tensors tensors, int batch, int height, int width, ExecutionOptions options) {
        return new Plan(VitWeights.load(vit, tensors), batch, height, width, options);
    }

    /** ViT encoder -> drop prefix tokens -> head per patch -> bilinear to the input size. */
    private final class Plan extends SegmentationPlan {


        Plan(VitWeights w, int batch, int height, int width, ExecutionOptions options) {
            super("linear_head", options, batch, vit.inChans(), height, width);
            if (height % vit.patch() != 0 || width % vit.patch() != 0) {
                throw new IllegalArgumentException("input " + height + "x" + width + " must be a multiple of the patch size " + vit.patch());
            }
            int gh = height / vit.patch();
            int gw = width / vit.patch();
            Tokens x = VitEncoder.add(g, vit, w, image());
            FeatureMap patches = FeatureMap.allocate(batch, gh, gw, vit.embedDim());
            FeatureMap scores = FeatureMap.allocate(batch, gh, gw, classes());
            logits = FeatureMap.allocate(batch, height, width, classes());
            g.section("head")
                    .copyRows("patch_tokens", x, vit.prefixTokens(), patches.tokens(), 0, gh * gw)
                    .linear("head", patches.tokens(), w.head(), scores.tokens())
                    .resize("upsample", scores, logits, false);
            g.output(logits.data());
            compile();
        }
    }

    @Override
    public int stride() {
        return vit.patch();
    }
}
