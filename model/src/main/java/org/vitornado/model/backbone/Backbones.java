package org.vitornado.model.backbone;

import java.nio.file.Path;

import org.vitornado.model.io.ModelException;
import org.vitornado.model.sam.SamVitConfig;
import org.vitornado.model.vitdet.VitDetConfig;

import com.google.gson.JsonObject;

/** Recognises backbone configs: detectron2 ViTDet (constructor arguments or a preset) and timm's SAM encoder. */
public final class Backbones {

    private Backbones() {
    }

    public static boolean isBackbone(JsonObject config) {
        return VitDetConfig.isVitDet(config) || SamVitConfig.isSam(config);
    }

    /** The backbone {@code config} describes; {@code file} names it in errors. */
    public static Backbone read(JsonObject config, Path file) {
        if (VitDetConfig.isVitDet(config) || config.has("preset")) {
            return VitDetConfig.read(config, file);
        }
        if (SamVitConfig.isSam(config)) {
            return SamVitConfig.fromTimmConstructor(config, file);
        }
        throw new ModelException(file + ": not a backbone config (known: detectron2 SimpleFeaturePyramid constructor arguments, "
                + "{\"preset\": \"vitdet_b\"}, timm VisionTransformerSAM constructor arguments)");
    }

    /** A built-in configuration by name ({@code vitdet_b}, {@code vitdet_l}, {@code vitdet_h}), or {@code null}. */
    public static Backbone preset(String name) {
        return VitDetConfig.preset(name);
    }
}
