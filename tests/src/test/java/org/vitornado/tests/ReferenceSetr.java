package org.vitornado.tests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.vitornado.reference.Resample;

/**
 * SETR's decode heads in float64, written from mmsegmentation's definitions ({@code SETRUPHead}, {@code MLANeck} /
 * {@code MLAModule}, {@code SETRMLAHead}, mmcv's {@code ConvModule} as conv without bias, BatchNorm in eval mode,
 * ReLU; {@code Upsample(scale_factor, bilinear)}; the segmentor's final {@code resize} to the input). Maps are
 * {@code [h][w][c]}; weights by mmseg names. The backbone's block outputs come from {@link ReferenceVit}.
 */
final class ReferenceSetr {

    private final Map<String, float[]> w;
    private final double bnEps;
    private final boolean alignCorners;

    ReferenceSetr(Map<String, float[]> weights, double bnEps, boolean alignCorners) {
        this.w = weights;
        this.bnEps = bnEps;
        this.alignCorners = alignCorners;
    }

    /** SETRUPHead: norm over channels, then (ConvModule, Upsample) x numConvs, then conv_seg. */
    double[][][] upHead(double[][][] x, int numConvs, int channels, int kernel, int upScale, double normEps) {
        double[][][] cur = layerNorm(x, "decode_head.norm", normEps);
        for (int i = 0; i < numConvs; i++) {
            cur = convModule(cur, "decode_head.up_convs." + i + ".0", channels, kernel);
            cur = resize(cur, cur.length * upScale, cur[0].length * upScale);
        }
        return conv(cur, "decode_head.conv_seg", 1, true);
    }

    /** MLANeck then SETRMLAHead. */
    double[][][] mla(List<double[][][]> levels, int neckChannels, int mlaChannels, int upScale, double normEps) {
        int n = levels.size();
        List<double[][][]> proj = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            proj.add(convModule(layerNorm(levels.get(i), "neck.norm." + i, normEps), "neck.mla.channel_proj." + i, neckChannels, 1));
        }
        List<double[][][]> mids = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            double[][][] feat = proj.get(n - 1 - k);
            mids.add(k == 0 ? feat : add(mids.get(k - 1), feat));
        }
        List<double[][][]> outs = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            outs.add(convModule(mids.get(k), "neck.mla.feat_extract." + k, neckChannels, 3));
        }
        List<double[][][]> ups = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            double[][][] a = convModule(outs.get(j), "decode_head.up_convs." + j + ".0", mlaChannels, 3);
            a = convModule(a, "decode_head.up_convs." + j + ".1", mlaChannels, 3);
            ups.add(resize(a, a.length * upScale, a[0].length * upScale));
        }
        int h = ups.get(0).length;
        int wd = ups.get(0)[0].length;
        double[][][] cat = new double[h][wd][n * mlaChannels];
        for (int j = 0; j < n; j++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < wd; x++) {
                    System.arraycopy(ups.get(j)[y][x], 0, cat[y][x], j * mlaChannels, mlaChannels);
                }
            }
        }
        return conv(cat, "decode_head.conv_seg", 1, true);
    }

    /** conv (no bias) -> BatchNorm (running stats) -> ReLU. */
    double[][][] convModule(double[][][] x, String name, int out, int k) {
        double[][][] y = conv(x, name + ".conv", k, false);
        float[] g = w.get(name + ".bn.weight");
        float[] b = w.get(name + ".bn.bias");
        float[] mean = w.get(name + ".bn.running_mean");
        float[] var = w.get(name + ".bn.running_var");
        for (double[][] row : y) {
            for (double[] px : row) {
                for (int o = 0; o < out; o++) {
                    double v = (px[o] - mean[o]) / Math.sqrt(var[o] + bnEps) * g[o] + b[o];
                    px[o] = Math.max(v, 0);
                }
            }
        }
        return y;
    }

    /** Conv2d(k, stride 1, padding (k - 1) / 2), weights {@code [out, in, k, k]}. */
    double[][][] conv(double[][][] x, String name, int k, boolean bias) {
        float[] wt = w.get(name + ".weight");
        float[] bs = bias ? w.get(name + ".bias") : null;
        int h = x.length;
        int wd = x[0].length;
        int in = x[0][0].length;
        int out = wt.length / (in * k * k);
        int pad = (k - 1) / 2;
        double[][][] y = new double[h][wd][out];
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < wd; xx++) {
                for (int o = 0; o < out; o++) {
                    double acc = bs == null ? 0 : bs[o];
                    for (int ky = 0; ky < k; ky++) {
                        for (int kx = 0; kx < k; kx++) {
                            int sy = yy + ky - pad;
                            int sx = xx + kx - pad;
                            if (sy < 0 || sx < 0 || sy >= h || sx >= wd) {
                                continue;
                            }
                            for (int i = 0; i < in; i++) {
                                acc += x[sy][sx][i] * wt[((o * in + i) * k + ky) * k + kx];
                            }
                        }
                    }
                    y[yy][xx][o] = acc;
                }
            }
        }
        return y;
    }

    /** F.interpolate(mode="bilinear", align_corners) to {@code outH x outW}. */
    double[][][] resize(double[][][] x, int outH, int outW) {
        double[][] my = Resample.linearMatrix(x.length, outH, alignCorners);
        double[][] mx = Resample.linearMatrix(x[0].length, outW, alignCorners);
        int c = x[0][0].length;
        double[][][] y = new double[outH][outW][c];
        for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
                for (int iy = 0; iy < x.length; iy++) {
                    if (my[oy][iy] == 0) {
                        continue;
                    }
                    for (int ix = 0; ix < x[0].length; ix++) {
                        double f = my[oy][iy] * mx[ox][ix];
                        if (f != 0) {
                            for (int ch = 0; ch < c; ch++) {
                                y[oy][ox][ch] += f * x[iy][ix][ch];
                            }
                        }
                    }
                }
            }
        }
        return y;
    }

    double[][][] layerNorm(double[][][] x, String name, double eps) {
        float[] g = w.get(name + ".weight");
        float[] b = w.get(name + ".bias");
        double[][][] y = new double[x.length][x[0].length][];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                double[] v = x[i][j];
                double mean = 0;
                for (double d : v) {
                    mean += d / v.length;
                }
                double var = 0;
                for (double d : v) {
                    var += (d - mean) * (d - mean) / v.length;
                }
                y[i][j] = new double[v.length];
                for (int k = 0; k < v.length; k++) {
                    y[i][j][k] = (v[k] - mean) / Math.sqrt(var + eps) * g[k] + b[k];
                }
            }
        }
        return y;
    }

    private static double[][][] add(double[][][] a, double[][][] b) {
        double[][][] y = new double[a.length][a[0].length][a[0][0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                for (int k = 0; k < a[0][0].length; k++) {
                    y[i][j][k] = a[i][j][k] + b[i][j][k];
                }
            }
        }
        return y;
    }

    /** Patch tokens {@code [1 + h*w][c]} (class token first) as an {@code [h][w][c]} map. */
    static double[][][] grid(double[][] tokens, int h, int w) {
        double[][][] m = new double[h][w][];
        for (int i = 0; i < h * w; i++) {
            m[i / w][i % w] = tokens[1 + i];
        }
        return m;
    }

    /** {@code [h][w][c]} to NCHW floats. */
    static float[] nchw(double[][][] m) {
        int h = m.length;
        int w = m[0].length;
        int c = m[0][0].length;
        float[] out = new float[c * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                for (int k = 0; k < c; k++) {
                    out[(k * h + y) * w + x] = (float) m[y][x][k];
                }
            }
        }
        return out;
    }
}
