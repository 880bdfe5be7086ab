package org.vitornado.tests;

import java.util.Map;

import org.vitornado.model.vit.VitConfig;
import org.vitornado.reference.Activations;
import org.vitornado.reference.Resample;
import org.vitornado.reference.Softmax;

/**
 * A plain float64 ViT forward written straight from timm's {@code VisionTransformer} (one image, no kernels, no
 * tricks), used as an independent reference for shapes the upstream fixtures do not cover. Weights are timm-named
 * float arrays.
 */
final class ReferenceVit {

    private final VitConfig c;
    private final Map<String, float[]> w;

    ReferenceVit(VitConfig c, Map<String, float[]> weights) {
        this.c = c;
        this.w = weights;
    }

    /** Features ([T, C] after the final norm), pre-logits ([C]) and logits of one {@code [3, H, W]} image. */
    record Result(double[][] features, double[] preLogits, double[] logits, java.util.List<double[][]> blocks) {
    }

    Result forward(float[] image, int height, int width) {
        int p = c.patch();
        int gh = height / p;
        int gw = width / p;
        int e = c.embedDim();
        int prefix = c.prefixTokens();
        int t = prefix + gh * gw;
        double[][] x = new double[t][e];
        float[] pw = w.get("patch_embed.proj.weight");
        float[] pb = w.get("patch_embed.proj.bias");
        for (int py = 0; py < gh; py++) {
            for (int px = 0; px < gw; px++) {
                for (int o = 0; o < e; o++) {
                    double acc = pb[o];
                    for (int ci = 0; ci < c.inChans(); ci++) {
                        for (int ky = 0; ky < p; ky++) {
                            for (int kx = 0; kx < p; kx++) {
                                acc += (double) pw[((o * c.inChans() + ci) * p + ky) * p + kx]
                                        * image[(ci * height + py * p + ky) * width + px * p + kx];
                            }
                        }
                    }
                    x[prefix + py * gw + px][o] = acc;
                }
            }
        }
        if (c.classToken()) {
            float[] cls = w.get("cls_token");
            for (int o = 0; o < e; o++) {
                x[0][o] = cls[o];
            }
        }
        double[][] pos = positionEmbedding(gh, gw);
        for (int i = 0; i < t; i++) {
            for (int o = 0; o < e; o++) {
                x[i][o] += pos[i][o];
            }
        }
        java.util.List<double[][]> blocks = new java.util.ArrayList<>();
        for (int b = 0; b < c.depth(); b++) {
            String n = "blocks." + b + ".";
            double[][] h = layerNorm(x, n + "norm1");
            double[][] qkv = linear(h, n + "attn.qkv");
            double[][] a = attention(qkv, t);
            add(x, linear(a, n + "attn.proj"));
            double[][] m = linear(layerNorm(x, n + "norm2"), n + "mlp.fc1");
            for (double[] row : m) {
                for (int i = 0; i < row.length; i++) {
                    row[i] = 0.5 * row[i] * (1 + Activations.erf(row[i] / Math.sqrt(2)));
                }
            }
            add(x, linear(m, n + "mlp.fc2"));
            blocks.add(java.util.Arrays.stream(x).map(double[]::clone).toArray(double[][]::new));
        }
        if (c.finalNorm()) {
            x = layerNorm(x, "norm");
        }
        double[] pooled = new double[e];
        if (c.pool() == VitConfig.Pool.TOKEN) {
            pooled = x[0].clone();
        } else {
            for (int i = prefix; i < t; i++) {
                for (int o = 0; o < e; o++) {
                    pooled[o] += x[i][o] / (t - prefix);
                }
            }
        }
        if (c.fcNorm()) {
            pooled = layerNorm(new double[][] {pooled}, "fc_norm")[0];
        }
        double[] logits = c.numClasses() > 0 ? linear(new double[][] {pooled}, "head")[0] : null;
        return new Result(x, pooled, logits, blocks);
    }

    /** timm resample_abs_pos_embed: class rows untouched, grid resized with antialiased bicubic. */
    private double[][] positionEmbedding(int gh, int gw) {
        int e = c.embedDim();
        int prefix = c.prefixTokens();
        float[] pos = w.get("pos_embed");
        double[][] out = new double[prefix + gh * gw][e];
        for (int o = 0; o < e; o++) {
            if (prefix == 1) {
                out[0][o] = pos[o];
            }
            double[][] grid = new double[c.gridH()][c.gridW()];
            for (int y = 0; y < c.gridH(); y++) {
                for (int x = 0; x < c.gridW(); x++) {
                    grid[y][x] = pos[(prefix + y * c.gridW() + x) * e + o];
                }
            }
            double[][] wy = resampleWeights(c.gridH(), gh);
            double[][] wx = resampleWeights(c.gridW(), gw);
            for (int y = 0; y < gh; y++) {
                for (int x = 0; x < gw; x++) {
                    double acc = 0;
                    for (int iy = 0; iy < c.gridH(); iy++) {
                        for (int ix = 0; ix < c.gridW(); ix++) {
                            acc += wy[y][iy] * wx[x][ix] * grid[iy][ix];
                        }
                    }
                    out[prefix + y * gw + x][o] = acc;
                }
            }
        }
        return out;
    }

    /** The position-embedding resize of the config as a dense {@code [out][in]} matrix. */
    private double[][] resampleWeights(int in, int out) {
        return switch (c.posResample()) {
            case BICUBIC_ANTIALIAS -> Resample.bicubicAntialiasMatrix(in, out);
            case BICUBIC -> Resample.bicubicMatrix(in, out);
            case BILINEAR -> Resample.linearMatrix(in, out, false);
        };
    }

    private double[][] attention(double[][] qkv, int t) {
        int e = c.embedDim();
        int hd = c.headDim();
        double scale = 1 / Math.sqrt(hd);
        double[][] out = new double[t][e];
        for (int h = 0; h < c.numHeads(); h++) {
            for (int i = 0; i < t; i++) {
                double[] s = new double[t];
                for (int j = 0; j < t; j++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) {
                        dot += qkv[i][h * hd + d] * qkv[j][e + h * hd + d];
                    }
                    s[j] = dot * scale;
                }
                Softmax.normalize(s);
                for (int j = 0; j < t; j++) {
                    for (int d = 0; d < hd; d++) {
                        out[i][h * hd + d] += s[j] * qkv[j][2 * e + h * hd + d];
                    }
                }
            }
        }
        return out;
    }

    private double[][] linear(double[][] x, String name) {
        return ReferenceOps.linear(x, w.get(name + ".weight"), w.get(name + ".bias"));
    }

    private double[][] layerNorm(double[][] x, String name) {
        return ReferenceOps.layerNorm(x, w.get(name + ".weight"), w.get(name + ".bias"), c.eps());
    }

    private static void add(double[][] x, double[][] y) {
        for (int r = 0; r < x.length; r++) {
            for (int i = 0; i < x[r].length; i++) {
                x[r][i] += y[r][i];
            }
        }
    }
}
