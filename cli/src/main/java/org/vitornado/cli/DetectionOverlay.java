package org.vitornado.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

import org.vitornado.api.DetectedObject;
import org.vitornado.api.Detections;
import org.vitornado.api.RgbImage;

/**
 * What {@code detect} draws: the image with each object's mask blended in its class colour, its box, and a tag with
 * its label and score. Colours are fixed per class (hues spread by the golden ratio), so a class looks the same in
 * every image.
 */
public final class DetectionOverlay {

    /** Mask opacity. */
    static final float ALPHA = 0.45f;

    private DetectionOverlay() {
    }

    static Color colour(int classId) {
        float hue = (float) ((classId * 0.618033988749895) % 1.0);
        return Color.getHSBColor(hue, 0.75f, 1.0f);
    }

    public static BufferedImage draw(RgbImage image, Detections found) {
        int h = image.height();
        int w = image.width();
        float[] rgb = image.rgb();
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        float[][] blend = new float[3][h * w];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(rgb, c * h * w, blend[c], 0, h * w);
        }
        // Masks first, lowest score first, so the best object is on top.
        for (int i = found.objects().size() - 1; i >= 0; i--) {
            DetectedObject o = found.objects().get(i);
            if (o.mask() == null) {
                continue;
            }
            Color col = colour(o.classId());
            float[] c = {col.getRed(), col.getGreen(), col.getBlue()};
            int[] r = o.mask().region();
            for (int y = r[1]; y < r[1] + r[3]; y++) {
                for (int x = r[0]; x < r[0] + r[2]; x++) {
                    if (o.mask().contains(x, y)) {
                        for (int ch = 0; ch < 3; ch++) {
                            blend[ch][y * w + x] = (1 - ALPHA) * blend[ch][y * w + x] + ALPHA * c[ch];
                        }
                    }
                }
            }
        }
        for (int p = 0; p < h * w; p++) {
            img.setRGB(p % w, p / w, clamp(blend[0][p]) << 16 | clamp(blend[1][p]) << 8 | clamp(blend[2][p]));
        }
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        float stroke = Math.max(1f, Math.min(h, w) / 300f);
        g.setStroke(new BasicStroke(stroke));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, Math.max(10, Math.min(h, w) / 40)));
        FontMetrics fm = g.getFontMetrics();
        for (int i = found.objects().size() - 1; i >= 0; i--) {
            DetectedObject o = found.objects().get(i);
            Color col = colour(o.classId());
            g.setColor(col);
            int x0 = Math.round(o.x0());
            int y0 = Math.round(o.y0());
            g.drawRect(x0, y0, Math.max(1, Math.round(o.x1()) - x0), Math.max(1, Math.round(o.y1()) - y0));
            String tag = String.format("%s %.0f%%", o.label(), 100 * o.score());
            int tw = fm.stringWidth(tag) + 4;
            int th = fm.getHeight();
            int ty = y0 - th >= 0 ? y0 - th : y0;
            g.fillRect(x0, ty, tw, th);
            g.setColor(Color.BLACK);
            g.drawString(tag, x0 + 2, ty + fm.getAscent());
        }
        g.dispose();
        return img;
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }
}
