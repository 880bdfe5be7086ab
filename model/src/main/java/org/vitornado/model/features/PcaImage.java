package org.vitornado.model.features;

import java.awt.image.BufferedImage;

/**
 * A feature map as a picture: each position's C-dimensional feature projected on the map's first three principal
 * components (power iteration with deflation on the C x C covariance), each component min-max scaled to 0..255 as
 * R, G and B, and the map enlarged by an integer factor (nearest) so small levels stay visible.
 */
public final class PcaImage {

    private PcaImage() {
    }

    /** {@code nchw} is one image's {@code [channels, height, width]}. */
    public static BufferedImage render(float[] nchw, int channels, int height, int width, int minSide) {
        int n = height * width;
        double[] mean = new double[channels];
        for (int c = 0; c < channels; c++) {
            for (int p = 0; p < n; p++) {
                mean[c] += nchw[c * n + p];
            }
            mean[c] /= n;
        }
        double[][] cov = new double[channels][channels];
        for (int a = 0; a < channels; a++) {
            for (int b = a; b < channels; b++) {
                double s = 0;
                for (int p = 0; p < n; p++) {
                    s += (nchw[a * n + p] - mean[a]) * (nchw[b * n + p] - mean[b]);
                }
                cov[a][b] = s / n;
                cov[b][a] = s / n;
            }
        }
        double[][] projections = new double[3][n];
        for (int k = 0; k < Math.min(3, channels); k++) {
            double[] v = principal(cov, k);
            double lambda = rayleigh(cov, v);
            for (int a = 0; a < channels; a++) {
                for (int b = 0; b < channels; b++) {
                    cov[a][b] -= lambda * v[a] * v[b];
                }
            }
            for (int p = 0; p < n; p++) {
                double s = 0;
                for (int c = 0; c < channels; c++) {
                    s += (nchw[c * n + p] - mean[c]) * v[c];
                }
                projections[k][p] = s;
            }
        }
        int scale = Math.max(1, (minSide + Math.min(height, width) - 1) / Math.min(height, width));
        BufferedImage out = new BufferedImage(width * scale, height * scale, BufferedImage.TYPE_INT_RGB);
        int[][] rgb = new int[3][n];
        for (int k = 0; k < 3; k++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double v : projections[k]) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            for (int p = 0; p < n; p++) {
                rgb[k][p] = hi > lo ? (int) Math.round(255 * (projections[k][p] - lo) / (hi - lo)) : 0;
            }
        }
        for (int y = 0; y < height * scale; y++) {
            for (int x = 0; x < width * scale; x++) {
                int p = (y / scale) * width + x / scale;
                out.setRGB(x, y, (rgb[0][p] << 16) | (rgb[1][p] << 8) | rgb[2][p]);
            }
        }
        return out;
    }

    /** The leading eigenvector of the (deflated) covariance, by power iteration from a fixed start. */
    private static double[] principal(double[][] cov, int seed) {
        int c = cov.length;
        double[] v = new double[c];
        for (int i = 0; i < c; i++) {
            v[i] = 1.0 + ((i * 31 + seed * 17) % 7) / 7.0;
        }
        for (int it = 0; it < 200; it++) {
            double[] w = new double[c];
            for (int a = 0; a < c; a++) {
                for (int b = 0; b < c; b++) {
                    w[a] += cov[a][b] * v[b];
                }
            }
            double norm = 0;
            for (double x : w) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                return v;
            }
            for (int a = 0; a < c; a++) {
                v[a] = w[a] / norm;
            }
        }
        return v;
    }

    private static double rayleigh(double[][] cov, double[] v) {
        double s = 0;
        for (int a = 0; a < v.length; a++) {
            for (int b = 0; b < v.length; b++) {
                s += v[a] * cov[a][b] * v[b];
            }
        }
        return s;
    }
}
