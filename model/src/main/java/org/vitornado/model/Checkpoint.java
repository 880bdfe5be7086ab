package org.vitornado.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.vitornado.model.image.Preprocessing;
import org.vitornado.model.io.Json;
import org.vitornado.model.io.ModelException;
import org.vitornado.model.io.ModelFiles;
import org.vitornado.model.io.TensorLoader;
import org.vitornado.model.vit.VitConfig;
import org.vitornado.model.vit.VitConfigReader;
import org.vitornado.model.vit.VitModel;
import org.vitornado.weights.SafetensorsFile;

import com.google.gson.JsonObject;

/**
 * A model as found on disk: its files, its architecture, its labels and its preprocessing. Reading one touches
 * only the config files; {@link #load()} reads the weights.
 */
public record Checkpoint(ModelFiles files, VitConfig vit, Map<Integer, String> labels, Preprocessing preprocessing) {

    public static Checkpoint read(Path model) {
        ModelFiles files = ModelFiles.locate(model);
        JsonObject config = Json.readObject(files.config());
        if (!VitConfigReader.isVit(config)) {
            throw new ModelException(files.config() + ": not a supported model config (known: timm VisionTransformer "
                    + "constructor arguments, timm Hub vit_* configs, Hugging Face model_type 'vit')");
        }
        VitConfig vit = VitConfigReader.read(config, files.config());
        Preprocessing pre;
        if (files.preprocessor() != null) {
            pre = Preprocessing.fromHuggingFace(Json.readObject(files.preprocessor()), files.preprocessor(), vit.imgH(), vit.imgW());
        } else {
            JsonObject pretrained = Json.object(config, "pretrained_cfg", files.config());
            pre = pretrained != null ? Preprocessing.fromTimm(pretrained, files.config(), vit.imgH(), vit.imgW())
                    : Preprocessing.timmDefault(vit.imgH(), vit.imgW());
        }
        return new Checkpoint(files, vit, VitConfigReader.labels(config, files.config()), pre);
    }

    /** Reads the weights into off-heap arrays. */
    public VitModel load() {
        try (SafetensorsFile file = SafetensorsFile.open(files.weights())) {
            return VitModel.load(vit, new TensorLoader(file));
        } catch (IOException e) {
            throw new ModelException(e.getMessage(), e);
        }
    }

    /** The label of class {@code index}, or its number. */
    public String label(int index) {
        return labels.getOrDefault(index, "class " + index);
    }
}
