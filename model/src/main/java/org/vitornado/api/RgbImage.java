package org.vitornado.api;

import java.nio.file.Path;

import org.vitornado.model.image.ImageReader;
import org.vitornado.model.image.Planar;

/**
 * An RGB image as the models see it before preprocessing: 0..255 values, planar ({@code [3, height, width]}).
 * {@link #read} decodes files exactly as {@code PIL.Image.open(f).convert("RGB")} does, which is what timm's and
 * Hugging Face's preprocessing saw when the reference outputs were made.
 *
 * @param source a name for results and errors (the file, usually)
 */
public record RgbImage(String source, int height, int width, float[] rgb) {

    public RgbImage {
        if (rgb.length != 3L * height * width) {
            throw new IllegalArgumentException(source + ": " + rgb.length + " values for 3 x " + height + " x " + width);
        }
    }

    /** Decodes a PNG, JPEG, GIF or BMP file; a truncated or corrupt file is a {@code ModelException} naming it. */
    public static RgbImage read(Path file) {
        Planar p = ImageReader.readRgb(file);
        return new RgbImage(file.toString(), p.height(), p.width(), p.data());
    }

    /** Decodes a file's bytes as {@link #read} decodes the file; {@code source} names it in results and errors. */
    public static RgbImage decode(byte[] content, String source) {
        Planar p = ImageReader.readRgb(content, source);
        return new RgbImage(source, p.height(), p.width(), p.data());
    }

    Planar planar() {
        return new Planar(3, height, width, rgb);
    }
}
