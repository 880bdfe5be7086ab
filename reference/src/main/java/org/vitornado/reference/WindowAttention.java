package org.vitornado.reference;

/**
 * Windowed attention with decomposed relative position (ViTDet / SAM), following detectron2's recipe: pad the qkv
 * map at the bottom and right to a multiple of the window (the padded map is built here; a padded token's q, k and v
 * are the qkv bias, the projection of a zero token, unmasked as upstream), let every query attend to the keys of its
 * window, add the decomposed rel-pos terms to the scores, softmax, and keep only the real queries (the crop). (The
 * kernels index windows in place instead and never build the padded map.)
 */
public final class WindowAttention {

    private WindowAttention() {
    }

    /**
     * {@code qkv [batch, height, width, 3, heads, headDim]} (C = heads * headDim), {@code qkvBias [3C]},
     * {@code relPosH [2 windowH - 1, headDim]}, {@code relPosW [2 windowW - 1, headDim]}; for query i and key j of a
     * window, in window-local coordinates,
     * {@code attn[i, j] = scale q_i . k_j + q_i . relPosH[qh_i - kh_j + windowH - 1] + q_i . relPosW[qw_i - kw_j + windowW - 1]}
     * (the rel-pos terms with the unscaled q, and only when {@code relPos}),
     * {@code out[b, y, x, h] = sum_j softmax_j(attn[i, j]) v_j}, {@code out [batch, height, width, heads, headDim]}.
     * A global block is one window of the whole map. Reference for {@code WindowAttentionKernels.windowAttention} and
     * {@code FlashWindowAttentionKernels.windowAttention}.
     */
    public static double[] windowAttention(float[] qkv, float[] qkvBias, float[] relPosH, float[] relPosW, int batch, int height, int width,
            int heads, int headDim, int windowH, int windowW, boolean relPos, double scale) {
        int c = heads * headDim;
        int padH = (height + windowH - 1) / windowH * windowH;
        int padW = (width + windowW - 1) / windowW * windowW;
        double[] out = new double[batch * height * width * c];
        for (int b = 0; b < batch; b++) {
            // The padded map: real tokens' qkv, else the bias.
            double[][][] map = new double[padH][padW][];
            for (int y = 0; y < padH; y++) {
                for (int x = 0; x < padW; x++) {
                    double[] row = new double[3 * c];
                    for (int i = 0; i < 3 * c; i++) {
                        row[i] = y < height && x < width ? qkv[((b * height + y) * width + x) * 3 * c + i] : qkvBias[i];
                    }
                    map[y][x] = row;
                }
            }
            // Every real query of every window (the crop: padded queries are not computed).
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int oy = y / windowH * windowH;
                    int ox = x / windowW * windowW;
                    for (int h = 0; h < heads; h++) {
                        double[] q = new double[headDim];
                        System.arraycopy(map[y][x], h * headDim, q, 0, headDim);
                        int n = windowH * windowW;
                        double[] s = new double[n];
                        for (int kh = 0; kh < windowH; kh++) {
                            for (int kw = 0; kw < windowW; kw++) {
                                double[] key = map[oy + kh][ox + kw];
                                double dot = 0;
                                double rh = 0;
                                double rw = 0;
                                for (int d = 0; d < headDim; d++) {
                                    dot += q[d] * key[c + h * headDim + d];
                                    rh += q[d] * relPosH[((y - oy) - kh + windowH - 1) * headDim + d];
                                    rw += q[d] * relPosW[((x - ox) - kw + windowW - 1) * headDim + d];
                                }
                                int j = kh * windowW + kw;
                                s[j] = dot * scale + (relPos ? rh + rw : 0);
                            }
                        }
                        Softmax.normalize(s);
                        for (int j = 0; j < n; j++) {
                            double[] value = map[oy + j / windowW][ox + j % windowW];
                            for (int d = 0; d < headDim; d++) {
                                out[((b * height + y) * width + x) * c + h * headDim + d] += s[j] * value[2 * c + h * headDim + d];
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
