package org.vitornado.model.image;

import java.nio.file.Path;

import org.vitornado.model.io.Json;
import org.vitornado.model.io.Limits;
import org.vitornado.model.io.ModelException;

import com.google.gson.JsonObject;

/**
 * How an image becomes the model's input tensor, read from the checkpoint's config:
 * <ul>
 *   <li>timm ({@code pretrained_cfg}): resize the shorter side to {@code floor(size / crop_pct)}, centre-crop to the
 *       input size, scale to 0..1, normalise with mean/std;</li>
 *   <li>Hugging Face ({@code preprocessor_config.json}, {@code ViTImageProcessor}): resize straight to the input size,
 *       rescale, normalise.</li>
 * </ul>
 *
 * @param height        input height
 * @param width         input width
 * @param cropPct       timm's crop fraction; 1 and {@code exactResize} for Hugging Face
 * @param exactResize   resize to {@code height x width} directly (no aspect-preserving resize + crop)
 * @param interpolation resampling filter
 * @param mean          per-channel mean, on the 0..1 scale
 * @param std           per-channel standard deviation, on the 0..1 scale
 */
public record Preprocessing(int height, int width, double cropPct, boolean exactResize, Interpolation interpolation,
        float[] mean, float[] std) {

    /** timm's ViT default: bicubic, crop_pct 0.9, mean = std = 0.5. */
    public static Preprocessing timmDefault(int height, int width) {
        return new Preprocessing(height, width, 0.9, false, Interpolation.BICUBIC,
                new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
    }

    /** From a timm {@code pretrained_cfg} object. */
    public static Preprocessing fromTimm(JsonObject cfg, Path file, int height, int width) {
        Preprocessing d = timmDefault(height, width);
        float[] size = Json.floats(cfg, "input_size", new float[] {3, height, width}, file);
        if (size.length != 3) {
            throw new ModelException(file + ": pretrained_cfg.input_size must be [channels, height, width]");
        }
        String mode = Json.string(cfg, "crop_mode", "center", file);
        if (!mode.equals("center")) {
            throw new ModelException(file + ": pretrained_cfg.crop_mode='" + mode + "' is not supported (center)");
        }
        int h = Limits.side(file + ": pretrained_cfg.input_size height", size[1]);
        int w = Limits.side(file + ": pretrained_cfg.input_size width", size[2]);
        double cropPct = Json.number(cfg, "crop_pct", d.cropPct(), file);
        // timm resizes to size / crop_pct before cropping: the resized side must stay a sane image size too.
        if (!(cropPct > 0) || Math.max(h, w) / cropPct > Limits.MAX_SIDE) {
            throw new ModelException(file + ": pretrained_cfg.crop_pct must be a fraction above 0 (timm uses 0.875 to 1), got " + cropPct);
        }
        return new Preprocessing(h, w, cropPct, false,
                parse(Json.string(cfg, "interpolation", "bicubic", file), file),
                channels(Json.floats(cfg, "mean", d.mean(), file), "mean", file),
                channels(Json.floats(cfg, "std", d.std(), file), "std", file));
    }

    /** From a Hugging Face {@code preprocessor_config.json}. */
    public static Preprocessing fromHuggingFace(JsonObject cfg, Path file, int height, int width) {
        int h = height;
        int w = width;
        if (Json.has(cfg, "size")) {
            JsonObject size = cfg.get("size").isJsonObject() ? cfg.getAsJsonObject("size") : null;
            if (size != null) {
                h = Json.integer(size, "height", h, file);
                w = Json.integer(size, "width", w, file);
            } else {
                h = w = Json.integer(cfg, "size", h, file);
            }
            Limits.side(file + ": size height", h);
            Limits.side(file + ": size width", w);
        }
        float[] mean = Json.floats(cfg, "image_mean", new float[] {0.5f, 0.5f, 0.5f}, file);
        float[] std = Json.floats(cfg, "image_std", new float[] {0.5f, 0.5f, 0.5f}, file);
        if (!Json.bool(cfg, "do_normalize", true, file)) {
            mean = new float[] {0, 0, 0};
            std = new float[] {1, 1, 1};
        }
        return new Preprocessing(h, w, 1.0, true,
                parse(String.valueOf(Json.integer(cfg, "resample", 2, file)), file),
                channels(mean, "image_mean", file), channels(std, "image_std", file));
    }

    private static Interpolation parse(String name, Path file) {
        try {
            return Interpolation.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ModelException(file + ": " + e.getMessage());
        }
    }

    private static float[] channels(float[] v, String key, Path file) {
        if (v.length != 3) {
            throw new ModelException(file + ": '" + key + "' must have 3 values, got " + v.length);
        }
        for (float x : v) {
            if (key.contains("std") && !(x > 0)) {
                throw new ModelException(file + ": '" + key + "' values must be positive");
            }
        }
        return v;
    }

    /** The same pipeline producing a {@code height x width} input. */
    public Preprocessing withSize(int h, int w) {
        return new Preprocessing(h, w, cropPct, exactResize, interpolation, mean, std);
    }

    /**
     * Resizes, crops and normalises a 0..255 RGB image into {@code [3, height, width]}, as the upstream does:
     * <ul>
     * <li>timm ({@code transforms_imagenet_eval}, crop mode center): the scale size is {@code floor(size / crop_pct)}
     * per side; for a square target, torchvision's {@code Resize} of the shorter side to it (the longer side
     * {@code int(scale * long / short)}) with the configured filter; for another target, timm's
     * {@code ResizeKeepRatio}, which resizes both sides by the smaller ratio, rounded half to even, always bilinear;
     * then {@code CenterCrop}; then {@code ToTensor} ({@code x / 255} in float32) and {@code Normalize};</li>
     * <li>Hugging Face ({@code ViTImageProcessor}): PIL resize straight to the size, {@code x * (1 / 255)} in double
     * cast to float32, then {@code (x - mean) / std}.</li>
     * </ul>
     */
    public float[] apply(Planar rgb) {
        Planar sized;
        if (exactResize) {
            sized = rgb.resize(height, width, interpolation);
        } else {
            int scaleH = (int) Math.floor(height / cropPct);
            int scaleW = (int) Math.floor(width / cropPct);
            if (scaleH == scaleW) {
                int h = rgb.height();
                int w = rgb.width();
                int shortSide = Math.min(h, w);
                int longSide = (int) ((double) scaleH * Math.max(h, w) / shortSide);
                sized = w <= h ? rgb.resize(longSide, scaleH, interpolation) : rgb.resize(scaleH, longSide, interpolation);
            } else {
                double ratio = Math.min((double) rgb.height() / scaleH, (double) rgb.width() / scaleW);
                sized = rgb.resize((int) Math.rint(rgb.height() / ratio), (int) Math.rint(rgb.width() / ratio), Interpolation.BILINEAR);
            }
            sized = sized.centerCrop(height, width);
        }
        float[] out = sized.data().clone();
        int plane = height * width;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                float v = out[c * plane + i];
                float scaled = exactResize ? (float) (v * (1.0 / 255)) : v / 255f;
                out[c * plane + i] = (scaled - mean[c]) / std[c];
            }
        }
        return out;
    }
}
