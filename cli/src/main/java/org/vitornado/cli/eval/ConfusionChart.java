package org.vitornado.cli.eval;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A confusion matrix as a picture: true classes down, predicted across, each cell shaded by its share of its row
 * (so classes of different sizes compare) and labelled with its count.
 */
public final class ConfusionChart {

    private static final int CELL = 44;

    private ConfusionChart() {
    }

    public static BufferedImage render(String title, long[][] confusion, List<String> names) {
        int n = confusion.length;
        int margin = 20 + names.stream().mapToInt(String::length).max().orElse(4) * 8;
        int top = 50 + margin;
        int w = margin + n * CELL + 30;
        int h = top + n * CELL + 40;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, 10, 20);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString("predicted \u2192", margin, 40);
        g.drawString("true \u2193", 10, top - 6);
        FontMetrics fm = g.getFontMetrics();
        for (int i = 0; i < n; i++) {
            long row = 0;
            for (long v : confusion[i]) {
                row += v;
            }
            g.setColor(Color.BLACK);
            g.drawString(names.get(i), margin - 6 - fm.stringWidth(names.get(i)), top + i * CELL + CELL / 2 + 5);
            for (int j = 0; j < n; j++) {
                double share = row == 0 ? 0 : (double) confusion[i][j] / row;
                int shade = (int) Math.round(255 * (1 - share));
                g.setColor(i == j ? new Color(shade, 255 - (255 - shade) / 3, shade) : new Color(255, shade, shade));
                g.fillRect(margin + j * CELL, top + i * CELL, CELL - 1, CELL - 1);
                if (confusion[i][j] > 0) {
                    String s = Long.toString(confusion[i][j]);
                    g.setColor(share > 0.6 ? Color.WHITE : Color.BLACK);
                    g.drawString(s, margin + j * CELL + (CELL - fm.stringWidth(s)) / 2, top + i * CELL + CELL / 2 + 5);
                }
            }
        }
        // Column names, rotated to fit above the columns.
        AffineTransform saved = g.getTransform();
        g.setColor(Color.BLACK);
        for (int j = 0; j < n; j++) {
            g.setTransform(saved);
            g.translate(margin + j * CELL + CELL / 2 + 4, top - 8);
            g.rotate(-Math.PI / 2);
            g.drawString(names.get(j), 0, 0);
        }
        g.setTransform(saved);
        g.dispose();
        return img;
    }
}
