package org.vitornado.model.segmentation;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.vitornado.model.image.Planar;

/**
 * What {@code segment} draws: the class-index map (a grey PNG whose pixel value is the class, 16-bit past 256
 * classes), a colour overlay on the image and a legend. Colours follow the PASCAL VOC palette (bits of the class
 * index spread over r, g, b), so class k has the same colour in every image and model.
 */
public final class SegmentationImages {

    /** Overlay opacity of the class colours. */
    static final float ALPHA = 0.5f;

    private SegmentationImages() {
    }

    /** PASCAL VOC's colour of class {@code k}, as 0xRRGGBB. */
    public static int colour(int k) {
        int r = 0;
        int g = 0;
        int b = 0;
        int c = k;
        for (int bit = 7; bit >= 0; bit--) {
            r |= (c & 1) << bit;
            g |= (c >> 1 & 1) << bit;
            b |= (c >> 2 & 1) << bit;
            c >>= 3;
        }
        return r << 16 | g << 8 | b;
    }

    /** Pixel value = class index (8-bit grey up to 256 classes, 16-bit beyond). */
    public static BufferedImage classIndex(int[] classes, int height, int width, int classCount) {
        BufferedImage img = new BufferedImage(width, height, classCount <= 256 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_USHORT_GRAY);
        WritableRaster raster = img.getRaster();
        raster.setPixels(0, 0, width, height, classes);
        return img;
    }

    /**
     * The image with the colours of the {@code shown} classes blended in at {@link #ALPHA}; other pixels keep the
     * image's colour ({@code shown == null}: every class).
     */
    public static BufferedImage overlay(Planar rgb, int[] classes, Set<Integer> shown) {
        int h = rgb.height();
        int w = rgb.width();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int k = classes[y * w + x];
                float r = rgb.get(0, y, x);
                float g = rgb.get(1, y, x);
                float b = rgb.get(2, y, x);
                if (shown == null || shown.contains(k)) {
                    int c = colour(k);
                    r = (1 - ALPHA) * r + ALPHA * (c >> 16 & 255);
                    g = (1 - ALPHA) * g + ALPHA * (c >> 8 & 255);
                    b = (1 - ALPHA) * b + ALPHA * (c & 255);
                }
                img.setRGB(x, y, clamp(r) << 16 | clamp(g) << 8 | clamp(b));
            }
        }
        return img;
    }

    /** One row per class in {@code classes}: its colour swatch and its label. */
    public static BufferedImage legend(List<Integer> classes, Map<Integer, String> labels) {
        int rowH = 22;
        int width = 320;
        BufferedImage img = new BufferedImage(width, Math.max(1, classes.size()) * rowH + 8, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            for (int i = 0; i < classes.size(); i++) {
                int k = classes.get(i);
                int y = 4 + i * rowH;
                g.setColor(new Color(colour(k)));
                g.fillRect(6, y + 2, 28, rowH - 6);
                g.setColor(Color.DARK_GRAY);
                g.drawRect(6, y + 2, 28, rowH - 6);
                g.setColor(Color.BLACK);
                g.drawString(k + "  " + labels.getOrDefault(k, "class " + k), 44, y + rowH - 7);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }
}
