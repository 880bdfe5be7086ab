package org.vitornado.model.segmentation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.sam.WindowedBlocks;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitConfigReader;
import org.vitornado.model.vit.VitEncoder;
import org.vitornado.model.vit.VitWeights;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.GraphBuilder;

import com.google.gson.JsonObject;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

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
public record LinearHeadSegmenter(VitConfig vit) implements SegmentationModel {

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
    public String describe() {
        return "linear head on " + vit.describe() + ", " + classes() + " classes";
    }

    @Override
    public int classes() {
        return vit.numClasses();
    }

    @Override
    public int imgH() {
        return vit.imgH();
    }

    @Override
    public int imgW() {
        return vit.imgW();
    }

    @Override
    public int inChans() {
        return vit.inChans();
    }

    @Override
    public SegmentationPlan plan(Tensors tensors, int batch, int height, int width, ExecutionOptions options) {
        return new Plan(VitWeights.load(vit, tensors), batch, height, width, options);
    }

    private final class Plan extends CompiledSegmenter {

        private final FloatArray logits;

        Plan(VitWeights w, int batch, int height, int width, ExecutionOptions options) {
            super(batch, height, width, batch * vit.inChans() * height * width);
            if (height % vit.patch() != 0 || width % vit.patch() != 0) {
                throw new IllegalArgumentException("input " + height + "x" + width + " must be a multiple of the patch size " + vit.patch());
            }
            int gh = height / vit.patch();
            int gw = width / vit.patch();
            int e = vit.embedDim();
            int n = classes();
            int prefix = vit.prefixTokens();
            GridScheduler grids = new GridScheduler();
            GraphBuilder g = GraphBuilder.forPlan("linear_head", grids, options);
            List<Object> weights = new ArrayList<>();
            FloatArray x = VitEncoder.add(g, vit, w, image, batch, height, width, weights);
            FloatArray patches = new FloatArray(batch * gh * gw * e);
            FloatArray scores = new FloatArray(batch * gh * gw * n);
            logits = new FloatArray(batch * height * width * n);
            weights.addAll(List.of(w.headW, w.headB));
            g.copyRows("patch_tokens", x, patches, batch, gh * gw, e, prefix + gh * gw, prefix, gh * gw, 0)
                    .linear("head", patches, w.headW, w.headB, scores, batch * gh * gw, e, n)
                    .bilinear("upsample", scores, logits, batch, gh, gw, height, width, height, width, n, false, n, 0);
            g.weights(weights.toArray()).inputs(image).outputs(logits);
            finish(g, grids, options);
        }

        @Override
        protected int pixelCount() {
            return batch * vit.inChans() * height * width;
        }

        @Override
        public float[] logits() {
            return WindowedBlocks.toNchw(logits.toHeapArray(), batch, height, width, classes());
        }

        @Override
        public Map<String, float[]> outputs() {
            return Map.of("logits", logits());
        }
    }
}
