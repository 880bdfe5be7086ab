package org.vitornado.tests;

import java.util.Map;

import org.vitornado.reference.Softmax;

/**
 * DEPICT's MaskTransformer in float64, from the fixture notes on its code (one projection W for q, k and v, no bias,
 * a scalar step size; PreNorm; 'sa' and 'ca' modes; cosine masks; LayerNorm over classes). Weights by DEPICT names,
 * under {@code prefix} ({@code decoder.} inside a Segmenter).
 */
final class ReferenceMaskTransformer {

    private final Map<String, float[]> w;
    private final String prefix;
    private final int heads;
    private final int classes;
    private final boolean selfAttentionMode;
    private final int layers;

    ReferenceMaskTransformer(Map<String, float[]> weights, String prefix, int heads, int classes, int layers, boolean sa) {
        this.w = weights;
        this.prefix = prefix;
        this.heads = heads;
        this.classes = classes;
        this.layers = layers;
        this.selfAttentionMode = sa;
    }

    /** Masks {@code [tokens][classes]} of patch features {@code [tokens][d]}. */
    double[][] forward(double[][] patches) {
        int t = patches.length;
        int d = patches[0].length;
        float[] emb = w.get(prefix + "cls_emb");
        double[][] cls = new double[classes][d];
        for (int k = 0; k < classes; k++) {
            for (int i = 0; i < d; i++) {
                cls[k][i] = emb[k * d + i];
            }
        }
        double[][] p;
        double[][] c;
        if (selfAttentionMode) {
            double[][] x = new double[t + classes][];
            for (int i = 0; i < t; i++) {
                x[i] = patches[i].clone();
            }
            for (int k = 0; k < classes; k++) {
                x[t + k] = cls[k];
            }
            for (int l = 0; l < layers; l++) {
                String n = prefix + "net.layers." + l + ".";
                double[][] h = layerNorm(x, n + "norm");
                add(x, attention(h, h, n + "fn.", 100));
            }
            x = layerNorm(x, prefix + "decoder_norm");
            p = java.util.Arrays.copyOfRange(x, 0, t);
            c = java.util.Arrays.copyOfRange(x, t, t + classes);
        } else {
            double[][] x = new double[t][];
            for (int i = 0; i < t; i++) {
                x[i] = patches[i].clone();
            }
            for (int l = 0; l < layers; l++) {
                String n = prefix + "snet.layers." + l + ".";
                double[][] h = layerNorm(x, n + "norm");
                add(x, attention(h, h, n + "fn.", 100));
            }
            x = layerNorm(x, prefix + "snorm");
            for (int l = 0; l < 3; l++) {
                String n = prefix + "cnet.layers." + l + ".";
                add(cls, attention(cls, layerNorm(x, n + "norm"), n + "fn.", 50));
            }
            p = x;
            c = layerNorm(cls, prefix + "cnorm");
        }
        double[][] masks = new double[t][classes];
        for (int i = 0; i < t; i++) {
            for (int k = 0; k < classes; k++) {
                masks[i][k] = dot(p[i], c[k]) / Math.sqrt(dot(p[i], p[i])) / Math.sqrt(dot(c[k], c[k]));
            }
        }
        return layerNorm(masks, prefix + "mask_norm");
    }

    /** step * ((softmax((q W^T)(kv W^T)^T / sqrt(dh)) (kv W^T)) W), per head. */
    private double[][] attention(double[][] q, double[][] kv, String n, int dh) {
        float[] proj = w.get(n + "proj");
        double step = w.get(n + "step_size")[0];
        int d = q[0].length;
        int inner = heads * dh;
        double[][] wq = project(q, proj, inner, d);
        double[][] wk = project(kv, proj, inner, d);
        double[][] out = new double[q.length][d];
        for (int i = 0; i < q.length; i++) {
            double[] merged = new double[inner];
            for (int h = 0; h < heads; h++) {
                double[] s = new double[kv.length];
                for (int j = 0; j < kv.length; j++) {
                    double acc = 0;
                    for (int e = 0; e < dh; e++) {
                        acc += wq[i][h * dh + e] * wk[j][h * dh + e];
                    }
                    s[j] = acc / Math.sqrt(dh);
                }
                Softmax.normalize(s);
                for (int j = 0; j < kv.length; j++) {
                    for (int e = 0; e < dh; e++) {
                        merged[h * dh + e] += s[j] * wk[j][h * dh + e];
                    }
                }
            }
            for (int o = 0; o < d; o++) {
                double acc = 0;
                for (int r = 0; r < inner; r++) {
                    acc += merged[r] * proj[r * d + o];
                }
                out[i][o] = step * acc;
            }
        }
        return out;
    }

    private static double[][] project(double[][] x, float[] proj, int inner, int d) {
        double[][] y = new double[x.length][inner];
        for (int i = 0; i < x.length; i++) {
            for (int r = 0; r < inner; r++) {
                double acc = 0;
                for (int k = 0; k < d; k++) {
                    acc += x[i][k] * proj[r * d + k];
                }
                y[i][r] = acc;
            }
        }
        return y;
    }

    private double[][] layerNorm(double[][] x, String name) {
        return ReferenceOps.layerNorm(x, w.get(name + ".weight"), w.get(name + ".bias"), 1e-5);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void add(double[][] x, double[][] y) {
        for (int r = 0; r < x.length; r++) {
            for (int i = 0; i < x[r].length; i++) {
                x[r][i] += y[r][i];
            }
        }
    }
}
