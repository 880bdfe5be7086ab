package org.vitornado.reference;

/**
 * DETR's {@code PositionEmbeddingSine(num_pos_feats = half, temperature, normalize=True, scale)} written from its
 * {@code forward}, in float64: {@code y_embed = cumsum(~mask, 1)}, {@code x_embed = cumsum(~mask, 2)}, each divided by
 * its last row (column) + 1e-6 and multiplied by {@code scale}; {@code dim_t = temperature ** (2 (i // 2) / half)};
 * {@code pos_y = stack(sin(y / dim_t[0::2]), cos(y / dim_t[1::2])).flatten} (interleaved), the same for x; output
 * {@code cat(pos_y, pos_x)}, here channels-last {@code [batch, height, width, 2 half]}. Reference for
 * {@code SinePositionKernels.sinePosition}.
 */
public final class SinePosition {

    private SinePosition() {
    }

    /** {@code mask [batch, height, width]}, 1 = padding. */
    public static double[] sinePosition(float[] mask, int batch, int height, int width, int half, double temperature, double scale) {
        double[] out = new double[batch * height * width * 2 * half];
        for (int b = 0; b < batch; b++) {
            double[] yEmbed = new double[height * width];
            double[] xEmbed = new double[height * width];
            for (int x = 0; x < width; x++) {
                double run = 0;
                for (int y = 0; y < height; y++) {
                    run += 1 - mask[(b * height + y) * width + x];
                    yEmbed[y * width + x] = run;
                }
            }
            for (int y = 0; y < height; y++) {
                double run = 0;
                for (int x = 0; x < width; x++) {
                    run += 1 - mask[(b * height + y) * width + x];
                    xEmbed[y * width + x] = run;
                }
            }
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    double ye = yEmbed[y * width + x] / (yEmbed[(height - 1) * width + x] + 1e-6) * scale;
                    double xe = xEmbed[y * width + x] / (xEmbed[y * width + width - 1] + 1e-6) * scale;
                    for (int i = 0; i < half; i++) {
                        double dimT = Math.pow(temperature, 2.0 * (i / 2) / half);
                        int at = ((b * height + y) * width + x) * 2 * half;
                        out[at + i] = i % 2 == 0 ? Math.sin(ye / dimT) : Math.cos(ye / dimT);
                        out[at + half + i] = i % 2 == 0 ? Math.sin(xe / dimT) : Math.cos(xe / dimT);
                    }
                }
            }
        }
        return out;
    }
}
