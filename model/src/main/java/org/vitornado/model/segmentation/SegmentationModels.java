package org.vitornado.model.segmentation;

import java.nio.file.Path;

import org.vitornado.model.io.ModelException;

import com.google.gson.JsonObject;

/** Recognises segmenter configs. */
public final class SegmentationModels {

    private SegmentationModels() {
    }

    public static boolean isSegmentation(JsonObject config) {
        return SegmenterConfig.isSegmenter(config) || SegformerConfig.isSegformer(config) || LinearHeadSegmenter.isLinearHead(config)
                || SetrConfig.isSetr(config);
    }

    public static SegmentationModel read(JsonObject config, Path file) {
        if (LinearHeadSegmenter.isLinearHead(config)) {
            return LinearHeadSegmenter.read(config, file);
        }
        if (SegmenterConfig.isSegmenter(config)) {
            return SegmenterConfig.fromConstructor(config, file);
        }
        if (SetrConfig.isSetr(config)) {
            return SetrConfig.read(config, file);
        }
        if (SegformerConfig.isSegformer(config)) {
            return SegformerConfig.read(config, file);
        }
        throw new ModelException(file + ": not a segmentation config (known: DEPICT " + SegmenterConfig.CLASS
                + ", segmentation_models_pytorch Segformer, Hugging Face model_type 'segformer', a ViT config with \"segmentation_head\": \"linear\", "
                + "an mmsegmentation SETR config dumped as JSON)");
    }
}
