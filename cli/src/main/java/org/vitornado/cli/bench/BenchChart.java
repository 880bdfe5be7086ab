package org.vitornado.cli.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.TreeSet;

/** A grouped bar chart of images/s: one group per batch size, one bar per backend/device, values written on the bars. */
public final class BenchChart {

    public static final int WIDTH = 800;
    public static final int HEIGHT = 480;
    /** Bar colours, one per backend/device series. */
    static final Color[] COLOURS = {new Color(0x4472C4), new Color(0xED7D31), new Color(0x70AD47), new Color(0xA5A5A5)};

    private BenchChart() {
    }

    public static BufferedImage render(String title, List<BenchRow> rows) {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            List<String> series = rows.stream().map(r -> r.backend() + " " + r.device()).distinct().toList();
            List<Integer> batches = new java.util.ArrayList<>(new TreeSet<>(rows.stream().map(BenchRow::batch).toList()));
            double max = rows.stream().mapToDouble(BenchRow::imagesPerS).max().orElse(1);
            int left = 70;
            int right = WIDTH - 20;
            int top = 60;
            int bottom = HEIGHT - 60;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, left, 25);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("images/s (higher is better)", left, 45);
            g.setStroke(new BasicStroke(1f));
            g.drawLine(left, bottom, right, bottom);
            g.drawLine(left, top, left, bottom);
            for (int tick = 0; tick <= 4; tick++) {
                int y = bottom - (bottom - top) * tick / 4;
                g.setColor(new Color(0xDDDDDD));
                g.drawLine(left + 1, y, right, y);
                g.setColor(Color.DARK_GRAY);
                g.drawString(String.format("%.3g", max * tick / 4), 8, y + 4);
            }
            int groupWidth = (right - left) / Math.max(1, batches.size());
            int barWidth = Math.max(4, (groupWidth - 30) / Math.max(1, series.size()));
            for (int bi = 0; bi < batches.size(); bi++) {
                int gx = left + bi * groupWidth + 15;
                for (int si = 0; si < series.size(); si++) {
                    int batch = batches.get(bi);
                    String s = series.get(si);
                    BenchRow row = rows.stream().filter(r -> r.batch() == batch && (r.backend() + " " + r.device()).equals(s)).findFirst()
                            .orElse(null);
                    if (row == null) {
                        continue;
                    }
                    int h = (int) Math.round((bottom - top) * row.imagesPerS() / max);
                    int x = gx + si * barWidth;
                    g.setColor(COLOURS[si % COLOURS.length]);
                    g.fillRect(x, bottom - h, barWidth - 4, h);
                    g.setColor(Color.BLACK);
                    g.drawString(String.format("%.3g", row.imagesPerS()), x, bottom - h - 4);
                }
                g.setColor(Color.BLACK);
                g.drawString("batch " + batches.get(bi), gx, bottom + 18);
            }
            for (int si = 0; si < series.size(); si++) {
                int x = left + si * 190;
                g.setColor(COLOURS[si % COLOURS.length]);
                g.fillRect(x, HEIGHT - 28, 14, 14);
                g.setColor(Color.BLACK);
                g.drawString(series.get(si), x + 20, HEIGHT - 16);
            }
        } finally {
            g.dispose();
        }
        return img;
    }
}
