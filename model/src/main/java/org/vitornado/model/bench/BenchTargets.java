package org.vitornado.model.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.vitornado.model.backbone.Backbone;
import org.vitornado.model.backbone.Backbones;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.ModelFiles;
import org.vitornado.model.io.RandomTensors;
import org.vitornado.model.io.TensorLoader;
import org.vitornado.model.io.Tensors;
import org.vitornado.model.segmentation.SegformerConfig;
import org.vitornado.model.segmentation.SegmentationModel;
import org.vitornado.model.segmentation.SegmentationModels;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitConfigReader;
import org.vitornado.model.vit.VitModel;
import org.vitornado.model.vit.VitOutput;
import org.vitornado.model.vitdet.VitDetConfig;
import org.vitornado.weights.SafetensorsFile;

import com.google.gson.JsonObject;

/**
 * What {@code bench --model} names: a preset with random weights (timm's names where one exists) or a checkpoint
 * (ViT classifier, backbone or segmenter). Checkpoint weights are read once, when the target is opened.
 */
public final class BenchTargets {

    /** Presets, with the input size they are measured at. */
    public static final List<String> PRESETS = List.of("vit_small_patch16_224", "vit_base_patch16_224", "vit_large_patch16_224",
            "vitdet_b", "segformer_b0");

    private BenchTargets() {
    }

    /** A preset name or a checkpoint path. */
    public static BenchTarget open(String model) {
        Path path = Path.of(model);
        if (!Files.exists(path)) {
            BenchTarget preset = preset(model);
            if (preset != null) {
                return preset;
            }
            throw new ModelException("--model " + model + ": no such file, and not a preset (" + String.join(", ", PRESETS) + ")");
        }
        ModelFiles files = ModelFiles.locate(path);
        JsonObject config = Json.readObject(files.config());
        SafetensorsFile file;
        try {
            file = SafetensorsFile.open(files.weights());
        } catch (java.io.IOException e) {
            throw new ModelException(e.getMessage(), e);
        }
        Tensors tensors = new TensorLoader(file);
        BenchTarget target;
        if (SegmentationModels.isSegmentation(config)) {
            target = segmenter(SegmentationModels.read(config, files.config()), tensors);
        } else if (Backbones.isBackbone(config)) {
            target = backbone(Backbones.read(config, files.config()), tensors);
        } else if (VitConfigReader.isVit(config)) {
            target = vit(VitConfigReader.read(config, files.config()), tensors);
        } else {
            file.close();
            throw new ModelException(files.config() + ": not a model vitornado can benchmark (ViT, backbone or segmenter config)");
        }
        return target.reading(file);
    }

    static BenchTarget preset(String name) {
        if (PRESETS.contains(name) && VitConfigReader.timmPreset(name) != null) {
            return vit(VitConfigReader.timmPreset(name), new RandomTensors(name, Map.of()));
        }
        VitDetConfig vitdet = VitDetConfig.preset(name);
        if (vitdet != null) {
            Map<String, long[]> shapes = new HashMap<>();
            for (int i = 0; i < vitdet.depth(); i++) {
                long len = vitdet.windowBlocks().contains(i) ? 2L * vitdet.window() - 1 : 2L * (vitdet.imgSize() / vitdet.patch()) - 1;
                for (String axis : new String[] {"h", "w"}) {
                    shapes.put("net.blocks." + i + ".attn.rel_pos_" + axis, new long[] {len, vitdet.headDim()});
                }
            }
            return backbone(vitdet, new RandomTensors(name, shapes));
        }
        if (name.equals("segformer_b0")) {
            return segmenter(SegformerConfig.b0(150), new RandomTensors(name, Map.of()));
        }
        return null;
    }

    static BenchTarget vit(VitConfig c, Tensors tensors) {
        VitModel model = VitModel.load(c, tensors);
        VitOutput output = c.numClasses() > 0 ? VitOutput.LOGITS : VitOutput.PRE_LOGITS;
        return new BenchTarget(c.describe(), c.imgH(), c.imgW(), c.inChans(),
                (batch, height, width, options) -> model.plan(batch, height, width, EnumSet.of(output), options), null);
    }

    static BenchTarget backbone(Backbone b, Tensors tensors) {
        return new BenchTarget(b.describe(), b.imgH(), b.imgW(), b.inChans(),
                (batch, height, width, options) -> b.plan(tensors, batch, height, width, options), null);
    }

    static BenchTarget segmenter(SegmentationModel m, Tensors tensors) {
        return new BenchTarget(m.describe(), m.imgH(), m.imgW(), m.inChans(),
                (batch, height, width, options) -> m.plan(tensors, batch, height, width, options), null);
    }
}
