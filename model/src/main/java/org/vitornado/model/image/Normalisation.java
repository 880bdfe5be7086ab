package org.vitornado.model.image;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.ModelFiles;

import com.google.gson.JsonObject;

/** The pixel normalisation a checkpoint asks for, for the commands that feed images to dense models. */
public final class Normalisation {

    /** ImageNet statistics on the 0..1 scale (detectron2's ViTDet pixel_mean/std, SAM's, smp's). */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    private Normalisation() {
    }

    /** ImageNet's mean and std, as {@code {mean, std}}. */
    public static float[][] imagenet() {
        return new float[][] {IMAGENET_MEAN.clone(), IMAGENET_STD.clone()};
    }

    /** mean and std on the 0..1 scale: preprocessor_config.json, timm pretrained_cfg, config mean/std, else ImageNet. */
    public static float[][] of(JsonObject config, ModelFiles files) {
        if (files.preprocessor() != null) {
            Preprocessing p = Preprocessing.fromHuggingFace(Json.readObject(files.preprocessor()), files.preprocessor(), 1, 1);
            return new float[][] {p.mean(), p.std()};
        }
        JsonObject pretrained = Json.object(config, "pretrained_cfg", files.config());
        if (pretrained != null) {
            Preprocessing p = Preprocessing.fromTimm(pretrained, files.config(), 1, 1);
            return new float[][] {p.mean(), p.std()};
        }
        JsonObject model = Json.object(config, "model", files.config());
        JsonObject mmseg = model == null ? null : Json.object(model, "data_preprocessor", files.config());
        if (mmseg != null && Json.has(mmseg, "mean")) {
            // mmsegmentation normalises 0..255 pixels.
            float[] mean = Json.floats(mmseg, "mean", null, files.config());
            float[] std = Json.floats(mmseg, "std", null, files.config());
            if (mean == null || std == null || mean.length != 3 || std.length != 3) {
                throw new ModelException(files.config() + ": model.data_preprocessor mean and std must have 3 values");
            }
            for (int i = 0; i < 3; i++) {
                mean[i] /= 255f;
                std[i] /= 255f;
            }
            return new float[][] {mean, std};
        }
        float[] mean = Json.floats(config, "mean", IMAGENET_MEAN, files.config());
        float[] std = Json.floats(config, "std", IMAGENET_STD, files.config());
        if (mean.length != 3 || std.length != 3) {
            throw new ModelException(files.config() + ": 'mean' and 'std' must have 3 values");
        }
        return new float[][] {mean, std};
    }
}
