package org.vitornado.reference;

/**
 * Patch embedding: a convolution whose kernel equals its stride (the patch), plus its bias and the position
 * embedding, with the class token in front; what timm's {@code PatchEmbed} followed by {@code _pos_embed} computes.
 */
public final class PatchEmbed {

    private PatchEmbed() {
    }

    /**
     * With {@code gridH = height / patch}, {@code gridW = width / patch}, {@code T = prefix + gridH gridW}:
     * {@code tokens[b, prefix + py gridW + px, c] = bias[c] + pos[py gridW + px, c] + sum_{ci, ky, kx} weight[c, ci, ky, kx] image[b, ci, py patch + ky, px patch + kx]}
     * and {@code tokens[b, t < prefix, c] = clsToken[c]} (the class token with its position already added);
     * {@code image [batch, inChans, height, width]} (NCHW; rows and columns past the last whole patch ignored),
     * {@code weight [embed, inChans, patch, patch]}, {@code bias [embed]}, {@code clsToken [embed]},
     * {@code pos [gridH gridW, embed]}, {@code tokens [batch, T, embed]}. Reference for {@code PatchEmbedKernels.patchEmbed}.
     */
    public static double[] patchEmbed(float[] image, float[] weight, float[] bias, float[] clsToken, float[] pos, int batch, int inChans,
            int height, int width, int patch, int embed, int prefix) {
        int gw = width / patch;
        int t = prefix + height / patch * gw;
        double[] out = new double[batch * t * embed];
        for (int b = 0; b < batch; b++) {
            for (int tok = 0; tok < t; tok++) {
                for (int c = 0; c < embed; c++) {
                    double v;
                    if (tok < prefix) {
                        v = clsToken[c];
                    } else {
                        v = pos[(tok - prefix) * embed + c];
                        int py = (tok - prefix) / gw;
                        int px = (tok - prefix) % gw;
                        v += bias[c];
                        for (int ci = 0; ci < inChans; ci++) {
                            for (int ky = 0; ky < patch; ky++) {
                                for (int kx = 0; kx < patch; kx++) {
                                    v += (double) weight[((c * inChans + ci) * patch + ky) * patch + kx]
                                            * image[((b * inChans + ci) * height + py * patch + ky) * width + px * patch + kx];
                                }
                            }
                        }
                    }
                    out[(b * t + tok) * embed + c] = v;
                }
            }
        }
        return out;
    }

    /**
     * The hybrid ViT's tokens: row 0 of each image the class token (when {@code prefix == 1}), then each projected
     * feature-map row plus its position embedding. Reference for {@code PatchEmbedKernels.embedTokens}.
     */
    public static double[] embedTokens(float[] patches, float[] clsToken, float[] pos, int batch, int gridTokens, int embed, int prefix) {
        int perImage = prefix + gridTokens;
        double[] out = new double[batch * perImage * embed];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < embed; c++) {
                if (prefix == 1) {
                    out[b * perImage * embed + c] = clsToken[c];
                }
                for (int t = 0; t < gridTokens; t++) {
                    out[(b * perImage + prefix + t) * embed + c] = (double) patches[(b * gridTokens + t) * embed + c] + pos[t * embed + c];
                }
            }
        }
        return out;
    }

    /** NCHW to NHWC. Reference for {@code PatchEmbedKernels.channelsLast}. */
    public static double[] channelsLast(float[] image, int batch, int channels, int height, int width) {
        double[] out = new double[image.length];
        for (int b = 0; b < batch; b++) {
            for (int c = 0; c < channels; c++) {
                for (int p = 0; p < height * width; p++) {
                    out[(b * height * width + p) * channels + c] = image[(b * channels + c) * height * width + p];
                }
            }
        }
        return out;
    }
}
