package org.vitornado.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.StringJoiner;

import org.vitornado.model.backbone.Backbone;
import org.vitornado.model.backbone.Backbones;
import org.vitornado.model.backbone.FeatureMaps;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelFiles;
import org.vitornado.model.segmentation.SegmentationModel;
import org.vitornado.model.segmentation.SegmentationModels;

import com.google.gson.JsonObject;

/** {@code --model} as a backbone (a preset name, or a checkpoint whose config is a backbone's) or a segmenter. */
final class BackboneSource {

    private BackboneSource() {
    }

    /** The backbone {@code model} names, or {@code null} when it is a checkpoint of another kind. */
    static Backbone find(String model) {
        Path path = Path.of(model);
        if (!Files.exists(path)) {
            Backbone preset = Backbones.preset(model);
            if (preset != null) {
                return preset;
            }
        }
        ModelFiles files = ModelFiles.locate(path);
        JsonObject config = Json.readObject(files.config());
        return Backbones.isBackbone(config) ? Backbones.read(config, files.config()) : null;
    }

    /** The segmenter {@code model} names (a checkpoint whose config is a segmenter's), or {@code null}. */
    static SegmentationModel findSegmenter(String model) {
        Path path = Path.of(model);
        if (!Files.exists(path)) {
            return null;
        }
        ModelFiles files = ModelFiles.locate(path);
        JsonObject config = Json.readObject(files.config());
        return SegmentationModels.isSegmentation(config) ? SegmentationModels.read(config, files.config()) : null;
    }

    static void checkSize(Backbone b, int height, int width) {
        if (height % b.stride() != 0 || width % b.stride() != 0) {
            throw new UsageException("--size " + height + "x" + width + " must be a multiple of the patch size " + b.stride());
        }
    }

    /** {@code p2 256x256x256, ...}: channels x height x width of every output. */
    static String shapes(FeatureMaps maps) {
        StringJoiner j = new StringJoiner(", ");
        for (Map.Entry<String, int[]> e : maps.shapes().entrySet()) {
            int[] s = e.getValue();
            j.add(e.getKey() + " " + s[0] + "x" + s[1] + "x" + s[2]);
        }
        return j.toString();
    }
}
