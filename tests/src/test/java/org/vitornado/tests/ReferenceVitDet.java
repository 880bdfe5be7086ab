package org.vitornado.tests;

import java.util.LinkedHashMap;
import java.util.Map;

import org.vitornado.model.vitdet.VitDetConfig;
import org.vitornado.reference.Activations;
import org.vitornado.reference.Resample;
import org.vitornado.reference.Softmax;

/**
 * A plain float64 ViTDet forward written from detectron2's {@code modeling/backbone/vit.py} and
 * {@code utils.py} (one image, maps as {@code [H*W][C]} rows in raster order, no kernels): an independent reference
 * for what the upstream fixtures do not cover (residual conv blocks, non-square inputs, rel-pos tables resized on
 * both axes). Weights are detectron2-named float arrays.
 */
final class ReferenceVitDet {

    private final VitDetConfig c;
    private final Map<String, float[]> w;

    ReferenceVitDet(VitDetConfig c, Map<String, float[]> weights) {
        this.c = c;
        this.w = weights;
    }

    /** A feature map: {@code [h*w][channels]}. */
    record Map2d(double[][] v, int h, int w) {
        int channels() {
            return v[0].length;
        }
    }

    /** p2..p6 and last_feat of one {@code [3, H, W]} image, by name, each NCHW-flattened. */
    Map<String, double[]> forward(float[] image, int height, int width) {
        int p = c.patch();
        int gh = height / p;
        int gw = width / p;
        int e = c.embedDim();
        Map2d x = new Map2d(new double[gh * gw][e], gh, gw);
        float[] pw = w.get("net.patch_embed.proj.weight");
        float[] pb = w.get("net.patch_embed.proj.bias");
        double[][] pos = absPos(gh, gw);
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
                    x.v[py * gw + px][o] = acc + pos[py * gw + px][o];
                }
            }
        }
        for (int i = 0; i < c.depth(); i++) {
            block(x, "net.blocks." + i + ".", c.windowBlocks().contains(i) ? c.window() : 0);
            if (c.residualBlocks().contains(i)) {
                bottleneck(x, "net.blocks." + i + ".residual.");
            }
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        Map2d p5 = null;
        for (double scale : c.scales()) {
            int stage = (int) Math.round(Math.log(p / scale) / Math.log(2));
            p5 = pyramid(x, "simfp_" + stage, scale);
            out.put("p" + stage, nchw(p5));
        }
        if (c.topBlock()) {
            int oh = (p5.h - 1) / 2 + 1;
            int ow = (p5.w - 1) / 2 + 1;
            Map2d p6 = new Map2d(new double[oh * ow][], oh, ow);
            for (int y = 0; y < oh; y++) {
                for (int xx = 0; xx < ow; xx++) {
                    p6.v[y * ow + xx] = p5.v[2 * y * p5.w + 2 * xx].clone();
                }
            }
            out.put("p6", nchw(p6));
        }
        out.put("last_feat", nchw(x));
        return out;
    }

    /** get_abs_pos: drop the class row, resize the square grid with F.interpolate(bicubic, align_corners=False). */
    private double[][] absPos(int gh, int gw) {
        int e = c.embedDim();
        double[][] out = new double[gh * gw][e];
        if (!c.absPos()) {
            return out;
        }
        int g = c.pretrainImg() / c.patch();
        int skip = c.pretrainClsToken() ? 1 : 0;
        float[] pos = w.get("net.pos_embed");
        double[][] my = Resample.bicubicMatrix(g, gh);
        double[][] mx = Resample.bicubicMatrix(g, gw);
        for (int y = 0; y < gh; y++) {
            for (int x = 0; x < gw; x++) {
                for (int o = 0; o < e; o++) {
                    double acc = 0;
                    double[] wy = my[y];
                    double[] wx = mx[x];
                    for (int iy = 0; iy < g; iy++) {
                        for (int ix = 0; ix < g; ix++) {
                            acc += wy[iy] * wx[ix] * pos[(skip + iy * g + ix) * e + o];
                        }
                    }
                    out[y * gw + x][o] = acc;
                }
            }
        }
        return out;
    }

    /** x = x + attn(norm1(x)) (windowed with zero padding when window > 0); x = x + mlp(norm2(x)). */
    private void block(Map2d x, String p, int window) {
        int e = c.embedDim();
        double[][] h = layerNorm(x.v, p + "norm1", c.eps());
        int wh = window > 0 ? window : x.h;
        int ww = window > 0 ? window : x.w;
        int ph = (x.h + wh - 1) / wh * wh;
        int pwid = (x.w + ww - 1) / ww * ww;
        double[][] padded = new double[ph * pwid][e];
        for (int y = 0; y < x.h; y++) {
            for (int xx = 0; xx < x.w; xx++) {
                padded[y * pwid + xx] = h[y * x.w + xx];
            }
        }
        double[][] attended = new double[ph * pwid][];
        for (int wy = 0; wy < ph; wy += wh) {
            for (int wx = 0; wx < pwid; wx += ww) {
                double[][] tokens = new double[wh * ww][];
                for (int i = 0; i < wh * ww; i++) {
                    tokens[i] = padded[(wy + i / ww) * pwid + wx + i % ww];
                }
                double[][] o = linear(attention(linear(tokens, p + "attn.qkv"), wh, ww, p + "attn."), p + "attn.proj");
                for (int i = 0; i < wh * ww; i++) {
                    attended[(wy + i / ww) * pwid + wx + i % ww] = o[i];
                }
            }
        }
        for (int y = 0; y < x.h; y++) {
            for (int xx = 0; xx < x.w; xx++) {
                add(x.v[y * x.w + xx], attended[y * pwid + xx]);
            }
        }
        double[][] m = linear(layerNorm(x.v, p + "norm2", c.eps()), p + "mlp.fc1");
        for (double[] row : m) {
            for (int i = 0; i < row.length; i++) {
                row[i] = gelu(row[i]);
            }
        }
        double[][] y = linear(m, p + "mlp.fc2");
        for (int r = 0; r < x.v.length; r++) {
            add(x.v[r], y[r]);
        }
    }

    /** detectron2 Attention on one (q_h x q_w) window: softmax((q scale) k^T + rel_h + rel_w) v per head. */
    private double[][] attention(double[][] qkv, int qh, int qw, String p) {
        int e = c.embedDim();
        int hd = c.headDim();
        int n = qh * qw;
        double scale = 1 / Math.sqrt(hd);
        double[][] relH = c.relPos() ? relPos(p + "rel_pos_h", qh) : null;
        double[][] relW = c.relPos() ? relPos(p + "rel_pos_w", qw) : null;
        double[][] out = new double[n][e];
        for (int head = 0; head < c.numHeads(); head++) {
            int q0 = head * hd;
            for (int i = 0; i < n; i++) {
                double[] s = new double[n];
                for (int j = 0; j < n; j++) {
                    double dot = 0;
                    for (int d = 0; d < hd; d++) {
                        dot += qkv[i][q0 + d] * scale * qkv[j][e + q0 + d];
                    }
                    if (c.relPos()) {
                        double[] rh = relH[i / qw - j / qw + qh - 1];
                        double[] rw = relW[i % qw - j % qw + qw - 1];
                        for (int d = 0; d < hd; d++) {
                            dot += qkv[i][q0 + d] * (rh[d] + rw[d]);
                        }
                    }
                    s[j] = dot;
                }
                Softmax.normalize(s);
                for (int j = 0; j < n; j++) {
                    for (int d = 0; d < hd; d++) {
                        out[i][q0 + d] += s[j] * qkv[j][2 * e + q0 + d];
                    }
                }
            }
        }
        return out;
    }

    /** get_rel_pos: the table at 2 size - 1 rows, resized by F.interpolate(mode="linear") when stored otherwise. */
    private double[][] relPos(String name, int size) {
        float[] t = w.get(name);
        int hd = c.headDim();
        int len = t.length / hd;
        int want = 2 * size - 1;
        double[][] out = new double[want][hd];
        for (int i = 0; i < want; i++) {
            double src = len == want ? i : Math.max((i + 0.5) * len / want - 0.5, 0);
            int i0 = (int) Math.floor(src);
            int i1 = Math.min(i0 + 1, len - 1);
            double l = src - i0;
            for (int d = 0; d < hd; d++) {
                out[i][d] = (1 - l) * t[i0 * hd + d] + l * t[i1 * hd + d];
            }
        }
        return out;
    }

    /** ResBottleneckBlock: x + norm3(conv3(act(norm2(conv2(act(norm1(conv1(x)))))))). */
    private void bottleneck(Map2d x, String p) {
        Map2d a = conv(x, p + "conv1", 1);
        a = new Map2d(layerNorm(a.v, p + "norm1", 1e-6), a.h, a.w);
        geluAll(a);
        Map2d b = conv(a, p + "conv2", 3);
        b = new Map2d(layerNorm(b.v, p + "norm2", 1e-6), b.h, b.w);
        geluAll(b);
        Map2d o = conv(b, p + "conv3", 1);
        double[][] y = layerNorm(o.v, p + "norm3", 1e-6);
        for (int r = 0; r < x.v.length; r++) {
            add(x.v[r], y[r]);
        }
    }

    /** One SimpleFeaturePyramid stage (detectron2 names: simfp_2.0, simfp_2.1, ..., then the 1x1 and 3x3 convs). */
    private Map2d pyramid(Map2d in, String p, double scale) {
        Map2d cur = in;
        int next = 0;
        if (scale == 4.0) {
            cur = deconv(cur, p + ".0");
            cur = new Map2d(layerNorm(cur.v, p + ".1", 1e-6), cur.h, cur.w);
            geluAll(cur);
            cur = deconv(cur, p + ".3");
            next = 4;
        } else if (scale == 2.0) {
            cur = deconv(cur, p + ".0");
            next = 1;
        } else if (scale == 0.5) {
            int oh = cur.h / 2;
            int ow = cur.w / 2;
            Map2d pooled = new Map2d(new double[oh * ow][cur.channels()], oh, ow);
            for (int y = 0; y < oh; y++) {
                for (int x = 0; x < ow; x++) {
                    for (int ch = 0; ch < cur.channels(); ch++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int k = 0; k < 4; k++) {
                            m = Math.max(m, cur.v[(2 * y + k / 2) * cur.w + 2 * x + k % 2][ch]);
                        }
                        pooled.v[y * ow + x][ch] = m;
                    }
                }
            }
            cur = pooled;
            next = 1;
        }
        cur = conv(cur, p + "." + next, 1);
        cur = new Map2d(layerNorm(cur.v, p + "." + next + ".norm", 1e-6), cur.h, cur.w);
        cur = conv(cur, p + "." + (next + 1), 3);
        return new Map2d(layerNorm(cur.v, p + "." + (next + 1) + ".norm", 1e-6), cur.h, cur.w);
    }

    /** ConvTranspose2d(k=2, s=2): out[2y+dy][2x+dx][o] = b[o] + sum_c in[y][x][c] w[c][o][dy][dx]. */
    private Map2d deconv(Map2d in, String name) {
        float[] wt = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        int ci = in.channels();
        int co = wt.length / (ci * 4);
        Map2d out = new Map2d(new double[4 * in.h * in.w][co], 2 * in.h, 2 * in.w);
        for (int y = 0; y < out.h; y++) {
            for (int x = 0; x < out.w; x++) {
                double[] src = in.v[(y / 2) * in.w + x / 2];
                for (int o = 0; o < co; o++) {
                    double acc = b[o];
                    for (int k = 0; k < ci; k++) {
                        acc += src[k] * wt[((k * co + o) * 2 + y % 2) * 2 + x % 2];
                    }
                    out.v[y * out.w + x][o] = acc;
                }
            }
        }
        return out;
    }

    /** Conv2d(k, stride 1, padding k/2), bias if the checkpoint has one. */
    private Map2d conv(Map2d in, String name, int k) {
        float[] wt = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        int ci = in.channels();
        int co = wt.length / (ci * k * k);
        int pad = k / 2;
        Map2d out = new Map2d(new double[in.h * in.w][co], in.h, in.w);
        for (int y = 0; y < in.h; y++) {
            for (int x = 0; x < in.w; x++) {
                for (int o = 0; o < co; o++) {
                    double acc = b == null ? 0 : b[o];
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int sy = y + ky - pad;
                            int sx = x + kx - pad;
                            if (sy < 0 || sx < 0 || sy >= in.h || sx >= in.w) {
                                continue;
                            }
                            for (int q = 0; q < ci; q++) {
                                acc += in.v[sy * in.w + sx][q] * wt[((o * ci + q) * k + ky) * k + kx];
                            }
                        }
                    }
                    out.v[y * in.w + x][o] = acc;
                }
            }
        }
        return out;
    }

    private double[][] linear(double[][] x, String name) {
        return ReferenceOps.linear(x, w.get(name + ".weight"), w.get(name + ".bias"));
    }

    /** LayerNorm over each row (detectron2's channels-first LayerNorm on a map is the same per position). */
    private double[][] layerNorm(double[][] x, String name, double eps) {
        return ReferenceOps.layerNorm(x, w.get(name + ".weight"), w.get(name + ".bias"), eps);
    }

    private static void geluAll(Map2d m) {
        for (double[] row : m.v) {
            for (int i = 0; i < row.length; i++) {
                row[i] = gelu(row[i]);
            }
        }
    }

    private static double gelu(double v) {
        return 0.5 * v * (1 + Activations.erf(v / Math.sqrt(2)));
    }

    private static void add(double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    private static double[] nchw(Map2d m) {
        int hw = m.h * m.w;
        double[] out = new double[hw * m.channels()];
        for (int pos = 0; pos < hw; pos++) {
            for (int ch = 0; ch < m.channels(); ch++) {
                out[ch * hw + pos] = m.v[pos][ch];
            }
        }
        return out;
    }
}
