package org.vitornado.model.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

import org.vitornado.model.io.ModelException;
import org.w3c.dom.Node;

/**
 * Decodes an image file into planar RGB 0..255 as {@code PIL.Image.open(file).convert("RGB")} does (Pillow 9.4),
 * which is what timm's and Hugging Face's preprocessing see. The JDK's decoders give the stored samples; the
 * conversion to RGB is PIL's, never Java 2D's (which would, for one, turn linear grey into sRGB and brighten it):
 * <ul>
 * <li>PNG: grey of 1, 2 and 4 bits scaled to 0..255; 16-bit grey (PIL's mode I) clipped to 0..255; other 16-bit
 * samples keep their high byte; palettes looked up; alpha and tRNS dropped, not composited; gAMA and iCCP ignored;</li>
 * <li>JPEG: grey replicated; YCbCr as the decoder converts it, whatever ICC profile is embedded; CMYK and Adobe YCCK
 * read inverted (PIL assumes Adobe's polarity) and turned into RGB by PIL's {@code cmyk2rgb};</li>
 * <li>other formats (GIF, BMP): palette or samples as stored.</li>
 * </ul>
 * A truncated or corrupt file is an error naming it, as it is for PIL. The size is checked before decoding, so a
 * small file that claims a gigantic image fails fast instead of exhausting memory.
 */
public final class ImageReader {

    /** Larger images are refused before decoding (about 400 MB of pixels as floats). */
    static final long MAX_PIXELS = 1L << 25;

    private ImageReader() {
    }

    public static Planar readRgb(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelException("image " + file + ": no such file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            return decode(in, file.toString());
        } catch (IOException e) {
            throw new ModelException("image " + file + ": cannot decode it, it is truncated or corrupt (" + e.getMessage() + ")", e);
        }
    }

    /** The same decoding from a file's bytes (a Spark {@code binaryFile} row's content); {@code name} is for errors. */
    public static Planar readRgb(byte[] content, String name) {
        // In memory: ImageIO.createImageInputStream would copy a stream to a temporary file first.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(content))) {
            return decode(in, name);
        } catch (IOException e) {
            throw new ModelException("image " + name + ": cannot decode it, it is truncated or corrupt (" + e.getMessage() + ")", e);
        }
    }

    private static Planar decode(ImageInputStream in, String file) {
        try {
            if (in == null) {
                throw new ModelException("image " + file + ": cannot open it");
            }
            Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ModelException("image " + file + ": not an image vitornado can read (PNG, JPEG, GIF, BMP)");
            }
            javax.imageio.ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            try {
                reader.setInput(in, true, false);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels > MAX_PIXELS || pixels <= 0) {
                    throw new ModelException("image " + file + ": " + reader.getWidth(0) + "x" + reader.getHeight(0)
                            + " pixels is outside the supported range (1 .. " + MAX_PIXELS + " pixels)");
                }
                String format = reader.getFormatName().toLowerCase(Locale.ROOT);
                Planar rgb = switch (format) {
                    case "png" -> png(reader);
                    case "jpeg" -> jpeg(reader);
                    default -> samples(reader.read(0));
                };
                for (String w : warnings) {
                    // libjpeg's "Premature end of JPEG file": it fills the rest with grey, PIL refuses the file.
                    if (w.toLowerCase(Locale.ROOT).contains("premature end")) {
                        throw new ModelException("image " + file + ": the file is truncated (" + w.strip() + ")");
                    }
                }
                return rgb;
            } finally {
                reader.dispose();
            }
        } catch (ModelException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ModelException("image " + file + ": cannot decode it, it is truncated or corrupt (" + e.getMessage() + ")", e);
        }
    }

    /** PNG: the samples and what IHDR says they are. */
    private static Planar png(javax.imageio.ImageReader reader) throws IOException {
        Node ihdr = child(reader.getImageMetadata(0).getAsTree("javax_imageio_png_1.0"), "IHDR");
        int bits = Integer.parseInt(attribute(ihdr, "bitDepth"));
        String type = attribute(ihdr, "colorType");
        BufferedImage image = reader.read(0);
        Raster r = image.getRaster();
        int h = r.getHeight();
        int w = r.getWidth();
        float[] out = new float[3 * h * w];
        int plane = h * w;
        IndexColorModel palette = image.getColorModel() instanceof IndexColorModel icm ? icm : null;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                switch (type) {
                    case "Palette" -> {
                        int index = r.getSample(x, y, 0);
                        out[i] = palette.getRed(index);
                        out[plane + i] = palette.getGreen(index);
                        out[2 * plane + i] = palette.getBlue(index);
                    }
                    case "Grayscale", "GrayAlpha" -> {
                        float v = grey(r.getSample(x, y, 0), bits, type.equals("GrayAlpha"));
                        out[i] = v;
                        out[plane + i] = v;
                        out[2 * plane + i] = v;
                    }
                    default -> { // RGB, RGBAlpha
                        for (int c = 0; c < 3; c++) {
                            int s = r.getSample(x, y, c);
                            out[c * plane + i] = bits == 16 ? s >> 8 : s;
                        }
                    }
                }
            }
        }
        return new Planar(3, h, w, out);
    }

    /**
     * A PNG grey sample as PIL converts it: 1, 2, 4 bits scaled to 0..255; 16 bits clipped to 0..255 (mode I), or
     * with alpha its high byte (PIL reads 16-bit grey + alpha as RGBA).
     */
    private static float grey(int v, int bits, boolean alpha) {
        return switch (bits) {
            case 1, 2, 4 -> v * 255 / ((1 << bits) - 1);
            case 16 -> alpha ? v >> 8 : Math.min(v, 255);
            default -> v;
        };
    }

    /** JPEG: 1, 3 or 4 components. */
    private static Planar jpeg(javax.imageio.ImageReader reader) throws IOException {
        IIOMetadata metadata = reader.getImageMetadata(0);
        Node tree = metadata.getAsTree("javax_imageio_jpeg_image_1.0");
        Node sof = child(child(tree, "markerSequence"), "sof");
        int components = sof == null ? 3 : Integer.parseInt(attribute(sof, "numFrameComponents"));
        if (components != 4) {
            return samples(reader.read(0));
        }
        Node adobe = child(child(tree, "markerSequence"), "app14Adobe");
        boolean ycck = adobe != null && "2".equals(attribute(adobe, "transform"));
        return cmyk(reader.readRaster(0, null), ycck);
    }

    /**
     * Four-component JPEG samples to RGB as PIL does: libjpeg turns YCCK into CMYK ({@code C = 255 - R} of the YCC's
     * RGB, K kept); PIL reads CMYK inverted ({@code CMYK;I}); then {@code cmyk2rgb}:
     * {@code channel = nk - c nk / 255} with {@code nk = 255 - k}, in Pillow's integer arithmetic.
     */
    private static Planar cmyk(Raster r, boolean ycck) {
        int h = r.getHeight();
        int w = r.getWidth();
        int plane = h * w;
        float[] out = new float[3 * plane];
        int[] px = new int[4];
        int[] cmy = new int[3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                r.getPixel(x, y, px);
                if (ycck) {
                    JpegColor.yccToRgb(px[0], px[1], px[2], cmy);
                    for (int c = 0; c < 3; c++) {
                        cmy[c] = 255 - cmy[c];
                    }
                } else {
                    System.arraycopy(px, 0, cmy, 0, 3);
                }
                int nk = px[3]; // PIL's inverted K: 255 - (255 - k)
                for (int c = 0; c < 3; c++) {
                    int inverted = 255 - cmy[c];
                    int tmp = inverted * nk + 128;
                    int v = nk - (((tmp >> 8) + tmp) >> 8);
                    out[c * plane + y * w + x] = Math.max(0, Math.min(255, v));
                }
            }
        }
        return new Planar(3, h, w, out);
    }

    /** An image as the decoder stored it: palette colours, grey replicated, or its first three samples. */
    static Planar samples(BufferedImage image) {
        Raster r = image.getRaster();
        ColorModel cm = image.getColorModel();
        int h = r.getHeight();
        int w = r.getWidth();
        int plane = h * w;
        float[] out = new float[3 * plane];
        int colours = cm.getNumColorComponents();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                if (cm instanceof IndexColorModel icm) {
                    int index = r.getSample(x, y, 0);
                    out[i] = icm.getRed(index);
                    out[plane + i] = icm.getGreen(index);
                    out[2 * plane + i] = icm.getBlue(index);
                } else if (colours == 1) {
                    float v = r.getSample(x, y, 0);
                    out[i] = v;
                    out[plane + i] = v;
                    out[2 * plane + i] = v;
                } else if (r.getNumBands() >= 3 && cm.getComponentSize(0) == 8) {
                    for (int c = 0; c < 3; c++) {
                        out[c * plane + i] = r.getSample(x, y, c);
                    }
                } else {
                    int rgb = image.getRGB(x, y); // packed sRGB (BMP 16-bit and such): what PIL unpacks too
                    out[i] = (rgb >> 16) & 0xFF;
                    out[plane + i] = (rgb >> 8) & 0xFF;
                    out[2 * plane + i] = rgb & 0xFF;
                }
            }
        }
        return new Planar(3, h, w, out);
    }

    private static Node child(Node parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeName().equals(name)) {
                return n;
            }
        }
        return null;
    }

    private static String attribute(Node node, String name) {
        Node a = node.getAttributes().getNamedItem(name);
        return a == null ? null : a.getNodeValue();
    }
}
