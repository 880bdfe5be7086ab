package org.vitornado.model.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;

import org.vitornado.model.io.ModelException;

/**
 * Decodes an image file (PNG, JPEG, BMP, GIF: what {@link ImageIO} reads) into planar RGB floats in 0..255.
 * The size is checked before decoding, so a small file that claims a gigantic image fails fast instead of
 * exhausting memory.
 */
public final class ImageReader {

    /** Larger images are refused before decoding (about 400 MB of pixels as floats). */
    static final long MAX_PIXELS = 1L << 25;

    private ImageReader() {
    }

    public static Planar readRgb(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelException("--image " + file + ": no such file");
        }
        BufferedImage image;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new ModelException("--image " + file + ": cannot open");
            }
            Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ModelException("--image " + file + ": not an image format this JVM can read (PNG, JPEG, BMP, GIF)");
            }
            javax.imageio.ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS || pixels <= 0) {
                    throw new ModelException("--image " + file + ": " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels is outside the supported range (1 .. " + MAX_PIXELS + " pixels)");
                }
                image = reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ModelException me) {
                throw me;
            }
            throw new ModelException("--image " + file + ": cannot decode (" + e.getMessage() + ")", e);
        }
        int h = image.getHeight();
        int w = image.getWidth();
        float[] data = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = image.getRGB(x, y);
                int i = y * w + x;
                data[i] = (rgb >> 16) & 0xFF;
                data[h * w + i] = (rgb >> 8) & 0xFF;
                data[2 * h * w + i] = rgb & 0xFF;
            }
        }
        return new Planar(3, h, w, data);
    }
}
